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
