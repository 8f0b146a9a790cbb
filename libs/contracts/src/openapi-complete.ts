/**
 * Completes the OpenAPI document written in openapi.ts: what every operation must have and is
 * the same rule for all (operationId, tag, a 4xx answer, servers, licence, "no auth"), and the
 * schemas and examples of answers, by operation. Kept apart so that adding a route in
 * openapi.ts stays a one-line change; a route missing here is caught by openapi.test.ts.
 */
import { z } from 'zod';
import { executionProfileSchema, PROFILE_NAMES } from '@barrage/planning';
import { abortCampaignSchema, extendCampaignSchema } from './control.js';
import {
  campaignDefinitionSchema,
  campaignEventsSchema,
  campaignPageSchema,
  campaignSummarySchema,
  factoriesSchema,
  healthSchema,
  storedScenarioSchema,
  storedScenariosSchema,
  zonesViewSchema,
  scheduleViewSchema,
  schedulePageSchema,
  webhooksSchema,
  createdWebhookSchema,
  deliveryPageSchema,
  apiKeysSchema,
} from './responses.js';
import { createApiKeySchema, createdApiKeySchema } from './api-keys.js';
import { FEATURE_EXAMPLES, RESULT_EXAMPLES } from './openapi-examples.js';

/**
 * An answer's JSON Schema. Two fixes to what zod writes for OpenAPI 3.0: a nullable enum lists
 * null among its values (validators require it), and an execution profile, whose normalising
 * transforms have no JSON Schema, is described by its common shape (its forms are those of
 * CreateCampaign).
 */
const out = (schema: z.ZodType) =>
  z.toJSONSchema(schema, {
    io: 'output',
    unrepresentable: 'any',
    target: 'openapi-3.0',
    override: ({ zodSchema, jsonSchema }) => {
      const js = jsonSchema as { nullable?: boolean; enum?: unknown[] } & Record<string, unknown>;
      if (js.nullable && js.enum && !js.enum.includes(null)) js.enum.push(null);
      if (zodSchema === executionProfileSchema) {
        for (const k of Object.keys(js)) delete js[k];
        Object.assign(js, { type: 'object', required: ['profile'], properties: { profile: { type: 'string', enum: [...PROFILE_NAMES] } }, description: 'The execution profile, normalised (see CreateCampaign for every form)' });
      }
    },
  });
const input = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' });

/** Schemas of answers and bodies that openapi.ts does not list itself, by component name. */
export const EXTRA_ZOD_SCHEMAS = {
  Campaign: campaignSummarySchema,
  CampaignPage: campaignPageSchema,
  StoredScenario: storedScenarioSchema,
  StoredScenarios: storedScenariosSchema,
  Factories: factoriesSchema,
  Zones: zonesViewSchema,
  Health: healthSchema,
  Events: campaignEventsSchema,
  Definition: campaignDefinitionSchema,
  AbortCampaign: abortCampaignSchema,
  ExtendCampaign: extendCampaignSchema,
  Schedule: scheduleViewSchema,
  SchedulePage: schedulePageSchema,
  Webhooks: webhooksSchema,
  CreatedWebhook: createdWebhookSchema,
  DeliveryPage: deliveryPageSchema,
  ApiKeys: apiKeysSchema,
  CreatedApiKey: createdApiKeySchema,
  CreateApiKey: createApiKeySchema,
} satisfies Record<string, z.ZodType>;
const REQUEST_BODIES = new Set(['AbortCampaign', 'ExtendCampaign', 'CreateApiKey']);
const EXTRA_SCHEMAS = Object.fromEntries(Object.entries(EXTRA_ZOD_SCHEMAS).map(([name, schema]) => [name, REQUEST_BODIES.has(name) ? input(schema) : out(schema)]));

/** The success answer's schema of each operation whose answer in openapi.ts names none. */
export const RESPONSE_SCHEMAS: Record<string, keyof typeof EXTRA_ZOD_SCHEMAS> = {
  'POST /scenarios': 'StoredScenario',
  'GET /scenarios': 'StoredScenarios',
  'GET /scenarios/{name}': 'StoredScenario',
  'POST /campaigns': 'Campaign',
  'GET /campaigns': 'CampaignPage',
  'GET /campaigns/{key}': 'Campaign',
  'PATCH /campaigns/{key}': 'Campaign',
  'POST /campaigns/{key}/start': 'Campaign',
  'POST /campaigns/{key}/abort': 'Campaign',
  'POST /campaigns/{key}/extend': 'Campaign',
  'POST /campaigns/{key}/save': 'Campaign',
  'POST /campaigns/{key}/unsave': 'Campaign',
  'GET /campaigns/{key}/definition': 'Definition',
  'GET /campaigns/{key}/logs': 'Events',
  'GET /factories': 'Factories',
  'GET /zones': 'Zones',
  'GET /health': 'Health',
  'POST /campaigns/schedule': 'Schedule',
  'GET /schedules': 'SchedulePage',
  'GET /schedules/{id}': 'Schedule',
  'PATCH /schedules/{id}': 'Schedule',
  'GET /schedules/{id}/campaigns': 'CampaignPage',
  'POST /webhooks': 'CreatedWebhook',
  'GET /webhooks': 'Webhooks',
  'GET /webhooks/{id}/deliveries': 'DeliveryPage',
  'POST /api-keys': 'CreatedApiKey',
  'GET /api-keys': 'ApiKeys',
};

/** Request bodies that come from a schema of libs/contracts rather than one written in openapi.ts. */
export const REQUEST_SCHEMAS: Record<string, keyof typeof EXTRA_ZOD_SCHEMAS> = {
  'POST /campaigns/{key}/abort': 'AbortCampaign',
  'POST /campaigns/{key}/extend': 'ExtendCampaign',
};

const at = '2026-03-02T10:15:00.000Z';
const later = '2026-03-02T10:16:02.481Z';
const scenarioExample = {
  name: 'checkout',
  description: 'Browse, then buy',
  variables: { base: 'https://shop.example.com' },
  steps: [
    { name: 'home', method: 'GET', url: '{{base}}/', checks: [{ status: [200] }] },
    { name: 'buy', method: 'POST', url: '{{base}}/cart', body: { json: { sku: '42' } }, checks: [{ status: [200, 201] }] },
  ],
};
const campaignExample = {
  key: 'c-7f3a9e21',
  name: 'checkout at 200 minions',
  note: '',
  status: 'completed',
  result: 'passed',
  statusHistory: [
    { status: 'created', at },
    { status: 'running', at: '2026-03-02T10:15:01.200Z' },
    { status: 'completed', at: later },
  ],
  createdAt: at,
  startedAt: '2026-03-02T10:15:01.200Z',
  endedAt: later,
  retentionExpiry: '2026-04-01T10:15:00.000Z',
  saved: false,
  purgedAt: null,
  speedFactor: 1,
  startOffsetMs: 1000,
  hardTimeout: false,
  timeoutMs: null,
  scenarios: [{ name: 'checkout', minionsCount: 200, zones: { 'eu-west': 45, 'us-east': 55 }, executionProfile: { profile: 'IMMEDIATELY' } }],
  totals: { requests: 400, failures: 0, minionsStarted: 200, minionsActive: 0, droppedIterations: 0 },
  failureReason: null,
};
const factory = { id: 'eu-west-1a2b3c4d', zone: 'eu-west', host: 'factory-0', capacity: 1000, version: '0.1.0', runningChunks: [], startedAt: at, heartbeatAt: later };

/** One example per operation: of its request body where it has one, else of its answer. */
export const EXAMPLES: Record<string, { request?: unknown; response?: unknown }> = {
  'POST /scenarios': { request: scenarioExample, response: { ...scenarioExample, loop: false, version: 1, createdAt: at } },
  'GET /scenarios': { response: [{ ...scenarioExample, loop: false, version: 3, createdAt: at }] },
  'GET /scenarios/{name}': { response: { ...scenarioExample, loop: false, version: 3, createdAt: at } },
  'POST /campaigns': {
    request: {
      name: 'checkout at 200 minions',
      scenarios: { checkout: { minionsCount: 200, zones: { 'eu-west': 45, 'us-east': 55 }, executionProfile: { profile: 'IMMEDIATELY' } } },
      thresholds: { '*': ['p95 < 250', 'errorRate < 0.01'] },
    },
    response: { ...campaignExample, status: 'queued', result: null, statusHistory: [{ status: 'created', at }, { status: 'queued', at }], startedAt: null, endedAt: null, totals: { ...campaignExample.totals, requests: 0, minionsStarted: 0 } },
  },
  'GET /campaigns': { response: { page: 0, size: 20, totalPages: 1, totalElements: 1, elements: [campaignExample] } },
  'GET /campaigns/{key}': { response: campaignExample },
  'HEAD /campaigns/{key}': {},
  'PATCH /campaigns/{key}': { request: { note: 'baseline before the cache change' }, response: { ...campaignExample, note: 'baseline before the cache change' } },
  'DELETE /campaigns/{key}': {},
  'POST /campaigns/{key}/start': { response: { ...campaignExample, status: 'running', result: null, endedAt: null } },
  'POST /campaigns/{key}/abort': { request: { hard: true }, response: { ...campaignExample, status: 'aborted' } },
  'POST /campaigns/{key}/extend': { request: { newDurationMs: 600000 }, response: { ...campaignExample, status: 'running', result: null, endedAt: null } },
  'POST /campaigns/{key}/save': { response: { ...campaignExample, saved: true, retentionExpiry: null } },
  'POST /campaigns/{key}/unsave': { response: campaignExample },
  'GET /campaigns/{key}/definition': {
    response: { payload: { name: 'checkout at 200 minions', speedFactor: 1, startOffsetMs: 1000, hardTimeout: false, scenarios: { checkout: { minionsCount: 200, executionProfile: { profile: 'IMMEDIATELY' } } }, manualStart: false, note: '', variables: {} }, scenarioVersions: { checkout: 3 } },
  },
  'GET /campaigns/{key}/logs': { response: [{ at, level: 'INFO', message: 'Allocated 2 chunks in zone eu-west' }] },
  'GET /campaigns/{key}/logs.txt': { response: `${at} INFO Allocated 2 chunks in zone eu-west\n` },
  'GET /campaigns/{key}/intervals.csv': { response: 'bucketStart,scenario,step,zone,count,failures,rps,p50,p95,p99\n' },
  'GET /campaigns/{key}/results.csv': { response: 'bucketStart,scenario,step,zone,count,failures,rps,p50,p95,p99\n' },
  'GET /campaigns/{key}/live': { response: 'event: status\ndata: {"status":"running"}\n\n' },
  'GET /factories': { response: [factory] },
  'GET /zones': { response: [{ zone: 'eu-west', factories: 2, capacity: 2000 }] },
  'GET /health': { response: { status: 'healthy', services: { database: 'up', redis: 'up' }, factories: { live: 2 } } },
  ...RESULT_EXAMPLES,
  ...FEATURE_EXAMPLES(scenarioExample, campaignExample),
};

const errorRef = { $ref: '#/components/schemas/Error' };
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
type Operation = {
  operationId?: string;
  tags?: string[];
  requestBody?: { content: Record<string, { schema?: unknown; example?: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: unknown; example?: unknown }> }>;
};

/** `GET /campaigns/{key}/report.html` → `getCampaignReportHtml`. */
function operationId(method: string, path: string): string {
  const words = path
    .split(/[/.{}-]+/)
    .filter(Boolean)
    .map((w) => (w === 'key' || w === 'name' || w === 'step' ? '' : w))
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  const id = method + words.join('');
  return path.match(/\{(\w+)\}$/) ? `${id}By${path.match(/\{(\w+)\}$/)![1]!.replace(/^./, (c) => c.toUpperCase())}` : id;
}

/** Adds to `doc` what every operation must carry; see the file's comment. */
export function completeDocument<D extends { info: object; components: { schemas: object }; paths: Record<string, object> }>(doc: D): D {
  Object.assign(doc.components.schemas, EXTRA_SCHEMAS);
  Object.assign(doc.info, { license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' } });
  const top = doc as D & { servers?: unknown; security?: unknown; tags?: unknown };
  top.servers ??= [{ url: '/', description: 'The head that serves this document' }];
  // API keys on every route but the public ones (docs/security.md).
  Object.assign(doc.components, { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: `barrage keys create` or POST /api-keys. On GET, `?access_token=` works too (EventSource, links).' } } });
  top.security ??= [{ apiKey: [] }];
  const tags = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const name = `${method.toUpperCase()} ${path}`;
      op.operationId ??= operationId(method, path);
      op.tags ??= [path === '/campaigns/schedule' ? 'schedules' : path.split('/')[1] === 'zones' ? 'factories' : path.split('/')[1]!];
      op.tags.forEach((t) => tags.add(t));
      const request = REQUEST_SCHEMAS[name];
      if (request) op.requestBody = { content: { 'application/json': { schema: { $ref: `#/components/schemas/${request}` } } } };
      const response = RESPONSE_SCHEMAS[name];
      for (const [code, answer] of Object.entries(op.responses)) {
        if (!code.startsWith('2') && !(name === 'GET /health' && code === '503')) continue;
        const json = answer.content?.['application/json'];
        if (json && !json.schema && response) json.schema = { $ref: `#/components/schemas/${response}` };
      }
      if (PUBLIC_OPERATIONS.has(name)) (op as { security?: unknown }).security = [];
      else {
        op.responses['401'] ??= { description: 'No API key, or one not valid, expired or revoked', content: { 'application/json': { schema: errorRef } } };
        op.responses['403'] ??= { description: "The key's scope does not allow this route", content: { 'application/json': { schema: errorRef } } };
        op.responses['429'] ??= { description: 'Too many failed authentications from this client (Retry-After)', content: { 'application/json': { schema: errorRef } } };
      }
      // Any route can be refused before it runs: a malformed request, or a URL and headers over 16 KB.
      if (!Object.keys(op.responses).some((c) => c.startsWith('4'))) {
        op.responses['400'] = { description: 'Malformed request, or URL and headers too large (431)', content: { 'application/json': { schema: errorRef } } };
      }
      const example = EXAMPLES[name];
      if (example?.request !== undefined && op.requestBody) Object.values(op.requestBody.content)[0]!.example = example.request;
      const ok = Object.entries(op.responses).find(([c]) => c.startsWith('2'))?.[1];
      // Parsed when its schema is known, so it shows the defaults the head fills in.
      const parsed = response && example?.response !== undefined ? EXTRA_ZOD_SCHEMAS[response].safeParse(example.response) : undefined;
      if (example?.response !== undefined && ok?.content) Object.values(ok.content)[0]!.example = parsed?.success ? parsed.data : example.response;
    }
  }
  top.tags ??= [...tags].sort().map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name }));
  return doc;
}

/** Operations that need no API key: they hold no campaign data. */
const PUBLIC_OPERATIONS = new Set(['GET /health']);

const TAG_DESCRIPTIONS: Record<string, string> = {
  schedules: 'One-off and recurring campaigns in a time zone',
  'api-keys': 'API keys and their scopes (admin)',
  webhooks: 'Signed notifications of campaign and threshold events (admin)',
  campaigns: 'Create, run and control campaigns; read their results',
  scenarios: 'The requests a minion sends, versioned by name',
  factories: 'The live factories and their zones',
  health: 'Health of the head and its dependencies',
};
