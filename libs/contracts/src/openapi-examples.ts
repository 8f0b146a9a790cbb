/** Examples of a campaign's results for the OpenAPI document (checked against their schemas by openapi.test.ts). */
const at = '2026-03-02T10:15:01.200Z';
const latency = { count: 400, min: 3.1, mean: 41.7, p50: 38.2, p75: 47.9, p90: 61.3, p95: 74.8, p99: 121.5, p999: 180.2, max: 211.4, stdDev: 19.6 };
const numbers = {
  requests: 400,
  failures: 2,
  errorRate: 0.005,
  avgRps: 6.6,
  peakRps: 12,
  latency,
  serviceTime: { ...latency, mean: 40.9, p95: 73.1 },
  statusCodes: { '200': 398, '503': 2 },
  errors: { byKind: { status: 2 }, byCheck: { 'status in [200]': 2 } },
  checks: { evaluated: 400, failed: 2, passRate: 0.995 },
  timingBreakdown: { connectMs: 0.4, tlsMs: 0, firstByteMs: 39.8, downloadMs: 0.3, connections: 200 },
  bytes: { in: 182_400, out: 41_600 },
  stream: null,
};
const interval = {
  scenario: '*', step: '*', zone: '*', bucketStart: at, count: 200, failures: 1, rps: 200, mean: 40.2, min: 3.1, p50: 37.5, p75: 46.1, p90: 60.2, p95: 72.4,
  p99: 118.9, p999: 175.3, max: 190.1, stdDev: 18.7, bytesIn: 91_200, bytesOut: 20_800, statusCodes: { '200': 199, '503': 1 }, failureKinds: { status: 1 },
  failedChecks: { 'status in [200]': 1 }, checks: 200, timings: { connectUs: 80_000, connections: 200, firstByteUs: 7_960_000, responses: 200 },
  minionsActive: 200, minionsStarted: 200, targetArrivals: 0, iterations: 200, dropped: 0, maxLagMs: 1.2, maxLatenessMs: 0, saturated: false,
};
const report = {
  metadata: { key: 'c-7f3a9e21', name: 'checkout at 200 minions', status: 'completed', result: 'passed', failureReason: null, createdAt: '2026-03-02T10:15:00.000Z', startedAt: at, endedAt: '2026-03-02T10:16:02.481Z', configuration: { speedFactor: 1 } },
  summary: { requests: 400, failures: 2, errorRate: 0.005, durationSeconds: 61.3, avgRps: 6.6, peakRps: 12, peakMinions: 200, minionsStarted: 200, iterations: 200, droppedIterations: 0, bytes: numbers.bytes, checks: numbers.checks },
  latency,
  serviceTime: numbers.serviceTime,
  statusCodes: numbers.statusCodes,
  errors: numbers.errors,
  timingBreakdown: numbers.timingBreakdown,
  generator: { saturated: false, saturatedIntervals: 0, maxEventLoopLagMs: 4.2, maxSendLatenessMs: 0 },
  rateControl: [],
  thresholds: [{ scenario: null, step: null, expression: 'p95 < 250', observed: 74.8, passed: true, abortOnFail: false }],
  start: {
    startAt: at,
    spreadMs: 0.8,
    maxLatenessMs: 1.1,
    maxClockUncertaintyMs: 0.2,
    zones: [{ zone: 'eu-west', chunks: [{ id: 'c-7f3a9e21-checkout-eu-west-0', scenario: 'checkout', factoryId: 'eu-west-1a2b3c4d', readyAt: '2026-03-02T10:15:00.700Z', startLatenessMs: 1.1, clockUncertaintyMs: 0.2, clockOffsetMs: -3.4 }] }],
  },
  scenarios: [{ name: 'checkout', steps: [{ name: 'home', ...numbers, zones: [{ zone: 'eu-west', ...numbers }] }] }],
};

export const RESULT_EXAMPLES: Record<string, { response: unknown }> = {
  'GET /campaigns/{key}/report': { response: report },
  'GET /campaigns/{key}/intervals': { response: [interval] },
  'GET /campaigns/{key}/steps': { response: [{ scenario: 'checkout', step: 'home', ...numbers }] },
  'GET /campaigns/{key}/steps/{step}': { response: { scenario: 'checkout', step: 'home', ...numbers, zones: [{ zone: 'eu-west', ...numbers }], intervals: [{ ...interval, scenario: 'checkout', step: 'home' }] } },
  'GET /campaigns/{key}/errors': {
    response: {
      kinds: [{ kind: 'status', count: 2, samples: [{ request: 'GET https://shop.example.com/', status: 503, message: 'status 503 not in [200]', scenario: 'checkout', step: 'home', zone: 'eu-west', at }] }],
      checks: [{ check: 'status in [200]', failed: 2 }],
    },
  },
  'GET /campaigns/{key}/execution': {
    response: {
      key: 'c-7f3a9e21',
      status: 'completed',
      startSpreadMs: 0.8,
      zones: [{ zone: 'eu-west', chunks: [{ id: 'c-7f3a9e21-checkout-eu-west-0', scenario: 'checkout', index: 0, minions: 90, status: 'completed', factoryId: 'eu-west-1a2b3c4d', host: 'factory-0', acceptedAt: at, startedAt: at, finishedAt: '2026-03-02T10:16:01.900Z', iterations: 90, error: null, lostAt: null, rowsExhausted: false, readyAt: '2026-03-02T10:15:00.700Z', startLatenessMs: 1.1, clockUncertaintyMs: 0.2, clockOffsetMs: -3.4, runs: [{ run: 'r-1', factoryId: 'eu-west-1a2b3c4d', host: 'factory-0', acceptedAt: at, endedAt: '2026-03-02T10:16:01.900Z', outcome: 'completed' }] }] }],
    },
  },
  'GET /campaigns/{key}/distribution': {
    response: { key: 'c-7f3a9e21', scenarios: [{ name: 'checkout', zones: [{ zone: 'eu-west', percentage: 45, minions: 90, factories: [{ id: 'eu-west-1a2b3c4d', host: 'factory-0', chunk: 'c-7f3a9e21-checkout-eu-west-0', capacity: 1000 }] }] }] },
  },
  'GET /campaigns/{key}/report.html': { response: '<!doctype html>\n<html lang="en"><head><title>checkout at 200 minions: passed</title>…' },
};

/** Examples of the dry run, schedules, webhooks and API keys (checked against their schemas by openapi.test.ts). */
export function FEATURE_EXAMPLES(scenario: { name: string; steps: unknown[] }, campaign: Record<string, unknown>): Record<string, { request?: unknown; response?: unknown }> {
  const tryResult = {
    scenario: scenario.name,
    version: null,
    passed: true,
    durationMs: 42.5,
    row: null,
    skipped: [],
    steps: [
      {
        name: 'home',
        request: { method: 'GET', url: 'https://shop.example.com/', headers: { 'x-api-key': '********' }, body: null },
        response: { status: 200, headers: { 'content-type': 'text/html' }, bodyExcerpt: '<!doctype html>…', bodyBytes: 5120 },
        error: null,
        timings: { firstByteMs: 38.1, downloadMs: 1.2, totalMs: 39.3, timeToFirstEventMs: null },
        stream: null,
        checks: [{ name: 'status', passed: true }],
        extracted: {},
        failedExtractions: [],
        passed: true,
      },
    ],
  };
  const scheduleRequest = {
    name: 'nightly checkout',
    scenarios: { checkout: { minionsCount: 50, executionProfile: { profile: 'IMMEDIATELY' } } },
    scheduledAt: '2026-03-02T02:00:00[Europe/Berlin]',
    scheduling: { scheduling: 'DAILY', timeZone: 'Europe/Berlin', restrictions: [1, 2, 3, 4, 5] },
  };
  const schedule = {
    id: 'k3v9q2m1x8a7',
    name: 'nightly checkout',
    enabled: true,
    scheduledAt: scheduleRequest.scheduledAt,
    scheduling: scheduleRequest.scheduling,
    timeZone: 'Europe/Berlin',
    campaign: { name: 'nightly checkout', scenarios: scheduleRequest.scenarios },
    nextRunAt: '2026-03-03T01:00:00.000Z',
    nextRuns: ['2026-03-03T01:00:00.000Z', '2026-03-04T01:00:00.000Z', '2026-03-05T01:00:00.000Z', '2026-03-06T01:00:00.000Z', '2026-03-09T01:00:00.000Z'],
    createdAt: at,
    updatedAt: at,
  };
  const webhook = { id: 'w8d2k4p0s6t1', url: 'https://ci.example.com/hooks/barrage', events: ['campaign.completed', 'campaign.failed'], description: 'CI notifications', createdAt: at };
  const apiKey = { id: '0b6f3c1e-6a8e-4a55-9a51-2f1f4d3c2b10', name: 'ci', scope: 'write', prefix: 'brg_Xy3kQ9', createdAt: at, expiresAt: '2026-06-01T00:00:00.000Z', revokedAt: null, lastUsedAt: null };
  return {
    'POST /scenarios/try': { request: scenario, response: tryResult },
    'POST /scenarios/{name}/try': { request: { variables: { base: 'https://staging.example.com' } }, response: { ...tryResult, version: 3 } },
    'POST /campaigns/schedule': { request: scheduleRequest, response: schedule },
    'GET /schedules': { response: { page: 0, size: 20, totalPages: 1, totalElements: 1, elements: [schedule] } },
    'GET /schedules/{id}': { response: schedule },
    'PATCH /schedules/{id}': { request: { enabled: false }, response: { ...schedule, enabled: false, nextRunAt: null } },
    'GET /schedules/{id}/campaigns': { response: { page: 0, size: 20, totalPages: 1, totalElements: 1, elements: [{ ...campaign, name: 'nightly checkout (2026-03-03 02:00)' }] } },
    'POST /webhooks': { request: { url: webhook.url, events: webhook.events, description: webhook.description }, response: { ...webhook, secret: '3f9a…(64 hex characters, shown once)' } },
    'GET /webhooks': { response: [webhook] },
    'GET /webhooks/{id}/deliveries': {
      response: { page: 0, size: 20, totalPages: 1, totalElements: 1, elements: [{ id: 'd1', event: 'campaign.completed', campaignKey: 'c-7f3a9e21', outcome: 'delivered', attempts: 1, lastStatus: 200, lastError: null, createdAt: at, lastAttemptAt: at, deliveredAt: at }] },
    },
    'POST /api-keys': { request: { name: 'ci', scope: 'write', expiresIn: '90d' }, response: { ...apiKey, key: 'brg_Xy3kQ9…(shown once)' } },
    'GET /api-keys': { response: [apiKey] },
  };
}
