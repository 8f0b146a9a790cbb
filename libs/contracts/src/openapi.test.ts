import { z } from 'zod';
import { openApiDocument } from './openapi';
import { EXAMPLES, EXTRA_ZOD_SCHEMAS, RESPONSE_SCHEMAS } from './openapi-complete';
import { abortCampaignSchema, extendCampaignSchema } from './control';
import { createCampaignSchema, patchCampaignSchema } from './campaign';
import { scenarioSchema } from './scenario';
import { tryOptionsSchema, tryResultSchema } from './try';
import { createScheduleSchema, patchScheduleSchema } from './schedule';
import { createWebhookSchema } from './webhook';
import { createApiKeySchema } from './api-keys';
import { distributionSchema, errorsSchema, executionSchema, intervalsSchema, reportSchema, stepDetailSchema, stepsSchema } from './results';

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

describe('every operation of the document', () => {
  const doc = openApiDocument('test') as unknown as {
    paths: Record<string, Record<string, { operationId: string; requestBody?: { content: Record<string, { schema?: unknown; example?: unknown }> }; responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }> }>>;
  };
  const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));
  /** Answers without a body (204, HEAD) or whose results pages are large generated documents described by their schema alone. */
  const WITHOUT_EXAMPLE = new Set(['HEAD /campaigns/{key}', 'DELETE /scenarios/{name}', 'DELETE /campaigns/{key}', 'DELETE /schedules/{id}', 'DELETE /webhooks/{id}', 'DELETE /api-keys/{id}']);

  it('has a unique operationId and a tag', () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { op } of operations) expect((op as { tags?: string[] }).tags?.length).toBe(1);
  });

  it('answers JSON with a schema, and names its error answers', () => {
    for (const { name, op } of operations) {
      const codes = Object.keys(op.responses);
      expect({ name, error: codes.some((c) => c.startsWith('4')) }).toEqual({ name, error: true });
      for (const [code, answer] of Object.entries(op.responses)) {
        const json = answer.content?.['application/json'];
        if (json) expect({ name, code, schema: Boolean(json.schema) }).toEqual({ name, code, schema: true });
      }
      const body = op.requestBody?.content['application/json'];
      if (body) expect({ name, schema: Boolean(body.schema) }).toEqual({ name, schema: true });
    }
  });

  it('has an example (of its body, or of its answer), and each example is valid for its schema', () => {
    const missing = operations.filter(({ name, op }) => {
      const request = op.requestBody && Object.values(op.requestBody.content)[0]?.example;
      const answer = Object.entries(op.responses).find(([c]) => c.startsWith('2'))?.[1];
      const response = answer?.content && Object.values(answer.content)[0]?.example;
      return request === undefined && response === undefined && !WITHOUT_EXAMPLE.has(name);
    });
    expect(missing.map((m) => m.name)).toEqual([]);
    const requests: Record<string, z.ZodType> = {
      'POST /scenarios': scenarioSchema, 'POST /campaigns': createCampaignSchema, 'PATCH /campaigns/{key}': patchCampaignSchema, 'POST /campaigns/{key}/abort': abortCampaignSchema, 'POST /campaigns/{key}/extend': extendCampaignSchema,
      'POST /scenarios/try': scenarioSchema, 'POST /scenarios/{name}/try': tryOptionsSchema, 'POST /campaigns/schedule': createScheduleSchema, 'PATCH /schedules/{id}': patchScheduleSchema, 'POST /webhooks': createWebhookSchema, 'POST /api-keys': createApiKeySchema,
    };
    const results: Record<string, z.ZodType> = {
      'GET /campaigns/{key}/report': reportSchema, 'GET /campaigns/{key}/intervals': intervalsSchema, 'GET /campaigns/{key}/steps': stepsSchema, 'GET /campaigns/{key}/steps/{step}': stepDetailSchema,
      'GET /campaigns/{key}/errors': errorsSchema, 'GET /campaigns/{key}/execution': executionSchema, 'GET /campaigns/{key}/distribution': distributionSchema,
      'POST /scenarios/try': tryResultSchema, 'POST /scenarios/{name}/try': tryResultSchema,
    };
    const checked = Object.entries(EXAMPLES).filter(([name, e]) => e.response !== undefined && (RESPONSE_SCHEMAS[name] || results[name])).length;
    expect(checked).toBeGreaterThanOrEqual(24);
    for (const [name, example] of Object.entries(EXAMPLES)) {
      if (example.request !== undefined) {
        const parsed = requests[name]!.safeParse(example.request);
        expect({ name, issues: parsed.success ? [] : parsed.error.issues }).toEqual({ name, issues: [] });
      }
      const schema = RESPONSE_SCHEMAS[name] ? EXTRA_ZOD_SCHEMAS[RESPONSE_SCHEMAS[name]] : results[name];
      if (schema && example.response !== undefined) {
        const parsed = schema.safeParse(example.response);
        expect({ name, issues: parsed.success ? [] : parsed.error.issues }).toEqual({ name, issues: [] });
      }
    }
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
