import { z } from 'zod';
import { campaignSearchSchema, createCampaignSchema, intervalsQuerySchema, patchCampaignSchema } from './campaign.js';
import { scenarioSchema } from './scenario.js';
import { tryOptionsSchema, tryResultSchema } from './try.js';
import { completeDocument } from './openapi-complete.js';
import { distributionSchema, errorsSchema, executionSchema, intervalsSchema, reportSchema, stepDetailSchema, stepsSchema } from './results.js';
import { createScheduleSchema, scheduleSearchSchema } from './schedule.js';
import { createWebhookSchema, deliverySearchSchema } from './webhook.js';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' });
const out = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any', target: 'openapi-3.0' });
/** A 200 whose body is the named response schema. */
const answer = (description: string, name: string) => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } });

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
      },
    },
  },
};

function queryParameters(schema: z.ZodObject) {
  const js = json(schema) as { properties?: Record<string, object> };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));
}

const errors = {
  '400': { description: 'Bad body or query', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  '404': { description: 'Unknown resource', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  '409': { description: 'Wrong state', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
  '503': { description: 'Postgres or Redis unavailable (Retry-After)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
};
const ok = (description: string) => ({ description, content: { 'application/json': {} } });
const keyParam = [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }];
const scheduleIdParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
/** PATCH /schedules/{id}: any field of the create body (merged over the stored one), and enabled. */
function patchScheduleDoc() {
  const { required: _, ...create } = json(createScheduleSchema) as { required?: string[]; properties?: Record<string, unknown> };
  return { ...create, properties: { ...create.properties, enabled: { type: 'boolean' } } };
}

/**
 * The OpenAPI description, generated from the very schemas that validate requests, so the
 * documentation cannot disagree with what the API accepts.
 */
export function openApiDocument(version: string) {
  return completeDocument({
    openapi: '3.0.3',
    info: { title: 'Barrage', version, description: 'Distributed load testing: campaigns, scenarios, factories.' },
    components: {
      schemas: {
        Error: errorBody,
        Scenario: json(scenarioSchema),
        TryResult: out(tryResultSchema),
        CreateCampaign: json(createCampaignSchema),
        PatchCampaign: json(patchCampaignSchema),
        Report: out(reportSchema),
        Intervals: out(intervalsSchema),
        Steps: out(stepsSchema),
        StepDetail: out(stepDetailSchema),
        Errors: out(errorsSchema),
        Execution: out(executionSchema),
        Distribution: out(distributionSchema),
        CreateSchedule: json(createScheduleSchema),
        PatchSchedule: patchScheduleDoc(),
        CreateWebhook: json(createWebhookSchema),
      },
    },
    paths: {
      '/scenarios': {
        post: { summary: 'Create a scenario or a new version of it', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Scenario' } } } }, responses: { '201': ok('The stored version'), ...errors } },
        get: { summary: 'List scenarios (latest versions)', responses: { '200': ok('Scenarios') } },
      },
      '/scenarios/try': {
        post: { operationId: 'tryScenario', summary: 'Dry run of an unsaved scenario: one iteration, every step laid out', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Scenario' } } } }, responses: { '200': answer('Each step: request, response, timings, checks, extracted values', 'TryResult'), ...errors } },
      },
      '/scenarios/{name}/try': {
        post: { operationId: 'trySavedScenario', summary: 'Dry run of the saved scenario (optional campaign variables)', parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], requestBody: { required: false, content: { 'application/json': { schema: json(tryOptionsSchema) } } }, responses: { '200': answer('Each step: request, response, timings, checks, extracted values', 'TryResult'), ...errors } },
      },
      '/scenarios/{name}': {
        get: { summary: 'One scenario', parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': ok('The latest version'), ...errors } },
        delete: { summary: 'Delete a scenario', parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }], responses: { '204': { description: 'Deleted' }, ...errors } },
      },
      '/campaigns': {
        post: { summary: 'Create and start a campaign', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateCampaign' } } } }, responses: { '201': ok('The campaign'), ...errors } },
        get: { summary: 'Search campaigns', parameters: queryParameters(campaignSearchSchema), responses: { '200': ok('A page of campaigns'), ...errors } },
      },
      '/campaigns/{key}': {
        get: { summary: 'Summary state', parameters: keyParam, responses: { '200': ok('The campaign'), ...errors } },
        head: { summary: 'Exists?', parameters: keyParam, responses: { '200': { description: 'Exists' }, '404': { description: 'Unknown' } } },
        patch: { summary: 'Change the note', parameters: keyParam, requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/PatchCampaign' } } } }, responses: { '200': ok('The campaign'), ...errors } },
        delete: { summary: 'Delete an ended campaign', parameters: keyParam, responses: { '204': { description: 'Deleted' }, ...errors } },
      },
      '/campaigns/{key}/start': { post: { summary: 'Start a ready campaign (manualStart)', parameters: keyParam, responses: { '202': ok('The campaign'), ...errors } } },
      '/campaigns/{key}/abort': { post: { summary: 'Abort, soft or hard', parameters: keyParam, responses: { '202': ok('The campaign'), ...errors } } },
      '/campaigns/{key}/extend': {
        post: {
          summary: 'Set the end of a running campaign: newDurationMs from its start instant (longer or shorter)',
          parameters: keyParam,
          requestBody: { content: { 'application/json': { schema: { type: 'object', required: ['newDurationMs'], properties: { newDurationMs: { type: 'integer', minimum: 1, maximum: 604800000 } } } } } },
          responses: { '202': ok('The campaign'), ...errors },
        },
      },
      '/campaigns/{key}/save': { post: { summary: 'Keep past retention (retentionExpiry null)', parameters: keyParam, responses: { '200': ok('The campaign'), ...errors } } },
      '/campaigns/{key}/unsave': { post: { summary: 'Purge again RETENTION_DAYS after creation', parameters: keyParam, responses: { '200': ok('The campaign'), ...errors } } },
      '/campaigns/{key}/definition': { get: { summary: 'The payload and scenario versions it ran with', parameters: keyParam, responses: { '200': ok('Definition'), ...errors } } },
      '/campaigns/{key}/execution': { get: { summary: 'Zones and their chunks', parameters: keyParam, responses: { '200': answer('Execution', 'Execution'), ...errors } } },
      '/campaigns/{key}/report': { get: { summary: 'The final report', parameters: keyParam, responses: { '200': answer('Report', 'Report'), ...errors } } },
      '/campaigns/{key}/intervals': { get: { summary: 'Aggregated intervals', parameters: [...keyParam, ...queryParameters(intervalsQuerySchema)], responses: { '200': answer('Interval rows', 'Intervals'), ...errors } } },
      '/campaigns/{key}/report.html': { get: { summary: 'The final report as one self-contained page', parameters: keyParam, responses: { '200': { description: 'HTML page', content: { 'text/html': {} } }, ...errors } } },
      '/campaigns/{key}/intervals.csv': { get: { summary: 'Aggregated intervals as CSV', parameters: [...keyParam, ...queryParameters(intervalsQuerySchema)], responses: { '200': { description: 'CSV', content: { 'text/csv': {} } }, ...errors } } },
      '/campaigns/{key}/results.csv': { get: { summary: 'Every interval row of every resource and roll-up, as CSV', parameters: keyParam, responses: { '200': { description: 'CSV', content: { 'text/csv': {} } }, ...errors } } },
      '/campaigns/{key}/steps': { get: { summary: 'Per scenario step: requests, failures, latency, codes, timing breakdown', parameters: keyParam, responses: { '200': answer('Steps', 'Steps'), ...errors } } },
      '/campaigns/{key}/steps/{step}': {
        get: {
          summary: 'One step, per zone, with its intervals',
          parameters: [...keyParam, { name: 'step', in: 'path', required: true, schema: { type: 'string' } }, { name: 'scenario', in: 'query', required: false, schema: { type: 'string' } }],
          responses: { '200': answer('Step', 'StepDetail'), ...errors },
        },
      },
      '/campaigns/{key}/errors': { get: { summary: 'Failure kinds and failed checks with counts, and sampled failures', parameters: keyParam, responses: { '200': answer('Errors', 'Errors'), ...errors } } },
      '/campaigns/{key}/distribution': { get: { summary: 'Per zone: its percentage and the factories that ran it', parameters: keyParam, responses: { '200': answer('Distribution', 'Distribution'), ...errors } } },
      '/campaigns/{key}/live': {
        get: {
          summary: 'Server-Sent Events: `metrics` per interval (id = offset), `status`, `threshold`, then `complete`',
          parameters: [...keyParam, { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }, { name: 'lastEventId', in: 'query', required: false, schema: { type: 'string' } }],
          responses: { '200': { description: 'Event stream', content: { 'text/event-stream': {} } }, ...errors },
        },
      },
      '/campaigns/{key}/logs': { get: { summary: 'The event log', parameters: keyParam, responses: { '200': ok('Events'), ...errors } } },
      '/campaigns/{key}/logs.txt': { get: { summary: 'The event log as text lines', parameters: keyParam, responses: { '200': { description: 'Text', content: { 'text/plain': {} } }, ...errors } } },
      '/campaigns/schedule': {
        post: {
          summary: 'Schedule a campaign once or repeatedly (HOURLY, DAILY, MONTHLY in a time zone); Idempotency-Key supported',
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateSchedule' } } } },
          responses: { '201': ok('The schedule with nextRunAt and its next 5 runs'), ...errors },
        },
      },
      '/schedules': { get: { summary: 'List schedules', parameters: queryParameters(scheduleSearchSchema), responses: { '200': ok('A page of schedules'), ...errors } } },
      '/schedules/{id}': {
        get: { summary: 'One schedule', parameters: scheduleIdParam, responses: { '200': ok('The schedule'), ...errors } },
        patch: { summary: 'Change any field, enabled included; nextRuns recomputed', parameters: scheduleIdParam, requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/PatchSchedule' } } } }, responses: { '200': ok('The schedule'), ...errors } },
        delete: { summary: 'Delete a schedule (its campaigns stay)', parameters: scheduleIdParam, responses: { '204': { description: 'Deleted' }, ...errors } },
      },
      '/schedules/{id}/campaigns': { get: { summary: 'The campaigns it started, newest first', parameters: [...scheduleIdParam, ...queryParameters(scheduleSearchSchema.pick({ page: true, size: true }))], responses: { '200': ok('A page of campaigns'), ...errors } } },
      '/api-keys': {
        post: { summary: 'Create an API key (admin); the answer shows the key, once', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateApiKey' } } } }, responses: { '201': ok('The key, with its secret'), ...errors } },
        get: { summary: 'List API keys, without their secrets (admin)', responses: { '200': ok('API keys'), ...errors } },
      },
      '/api-keys/{id}': { delete: { summary: 'Revoke an API key (admin)', parameters: scheduleIdParam, responses: { '204': { description: 'Revoked' }, ...errors } } },
      '/webhooks': {
        post: { summary: 'Subscribe a URL to campaign and threshold events (admin); the answer shows the signing secret, once', requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateWebhook' } } } }, responses: { '201': ok('The webhook with its secret'), ...errors } },
        get: { summary: 'List webhooks, without their secrets (admin)', responses: { '200': ok('Webhooks') } },
      },
      '/webhooks/{id}': { delete: { summary: 'Delete a webhook and its deliveries (admin)', parameters: scheduleIdParam, responses: { '204': { description: 'Deleted' }, ...errors } } },
      '/webhooks/{id}/deliveries': { get: { summary: 'Its deliveries, newest first: event, campaign, attempts, outcome (admin)', parameters: [...scheduleIdParam, ...queryParameters(deliverySearchSchema)], responses: { '200': ok('A page of deliveries'), ...errors } } },
      '/factories': { get: { summary: 'Live factories', responses: { '200': ok('Factories') } } },
      '/zones': { get: { summary: 'Zones with live factories', responses: { '200': ok('Zones') } } },
      '/health': { get: { summary: 'Health of the head and its dependencies', responses: { '200': ok('Healthy or degraded'), '503': ok('Database or Redis down') } } },
    },
  });
}
