import { openApiDocument } from './openapi';

describe('openApiDocument', () => {
  const doc = openApiDocument('test');

  it('describes the campaign body from the schema that validates it', () => {
    const schema = doc.components.schemas.CreateCampaign as { properties: Record<string, unknown>; required?: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'speedFactor', 'scenarios', 'timeoutMs', 'timeout']));
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'scenarios']));
    expect(JSON.stringify(schema)).toContain('CONSTANT_RATE');
  });

  it('lists the search parameters of GET /campaigns', () => {
    const names = doc.paths['/campaigns'].get.parameters.map((p: { name: string }) => p.name);
    expect(names).toEqual(expect.arrayContaining(['filter', 'sort', 'page', 'size', 'status']));
  });
});

describe('openApiDocument: schedules', () => {
  const doc = openApiDocument('test') as any;

  it('describes the schedule body as the campaign body plus scheduledAt and scheduling', () => {
    const schema = doc.components.schemas.CreateSchedule as { properties: Record<string, unknown>; required?: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['name', 'scenarios', 'scheduledAt', 'scheduling']));
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'scenarios', 'scheduledAt']));
    expect(JSON.stringify(schema.properties.scheduling)).toContain('MONTHLY');
    expect(doc.components.schemas.PatchSchedule.required).toBeUndefined();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/campaigns/schedule', '/schedules', '/schedules/{id}', '/schedules/{id}/campaigns']));
    expect(doc.paths['/schedules'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['name', 'enabled', 'page', 'size']);
  });
});

describe('openApiDocument: webhooks', () => {
  const doc = openApiDocument('test') as any;

  it('describes the webhook body and its routes', () => {
    const schema = doc.components.schemas.CreateWebhook as { properties: Record<string, unknown>; required?: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['url', 'events', 'description', 'secret']));
    expect(schema.required).toEqual(expect.arrayContaining(['url', 'events']));
    expect(JSON.stringify(schema.properties.events)).toContain('threshold.breached');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/webhooks', '/webhooks/{id}', '/webhooks/{id}/deliveries']));
  });
});
