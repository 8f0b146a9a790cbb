import { performance } from 'node:perf_hooks';
import { type Scenario, type TryResult, type TryStep } from '@barrage/contracts';
import {
  NEEDS_BODY,
  NEEDS_HEADERS,
  ResponseData,
  StreamReader,
  compileCheck,
  compileExtraction,
  compileRequestBody,
  compileRequestHeaders,
  compileTemplate,
  secretMasker,
  type TemplateScope,
} from '@barrage/scenario';
import { request } from 'undici';

/** A dry run waits at most this long for one step, whatever the step's own timeout. */
export const TRY_STEP_TIMEOUT_MS = 10_000;
/** Body kept to evaluate checks and extractions (the rest is read and counted). */
const MAX_BODY_BYTES = 1_048_576;
/** Body shown in the answer. */
const EXCERPT_CHARS = 2000;

/**
 * One iteration of a scenario, step by step, in the head (docs/api.md#trying-a-scenario):
 * the same templates, checks, extractions and stream reader as a factory, the first data
 * row, no think time, every step bounded by TRY_STEP_TIMEOUT_MS. Secret values are masked
 * in everything returned.
 */
export async function tryScenario(scenario: Scenario, version: number | null, campaignVars: Record<string, string>, allowed: (url: string) => boolean): Promise<TryResult> {
  const t0 = performance.now();
  const row = scenario.data?.rows[0] ?? null;
  const scope: TemplateScope = { extracted: {}, row, campaignVars, scenarioVars: scenario.variables, secrets: scenario.secrets, minionId: 0, iteration: 0 };
  const mask = secretMasker(Object.values(scenario.secrets));
  const steps: TryStep[] = [];
  const skipped: string[] = [];
  let stopped = false;
  for (const step of scenario.steps) {
    if (stopped) {
      skipped.push(step.name);
      continue;
    }
    const result = await tryStep(step, scope, mask, allowed);
    steps.push(result);
    if (!result.passed && step.stopOnFailure) stopped = true;
  }
  return {
    scenario: scenario.name,
    version,
    passed: steps.every((s) => s.passed) && skipped.length === 0,
    durationMs: performance.now() - t0,
    row: row && Object.fromEntries(Object.entries(row).map(([k, v]) => [k, mask(v)])),
    steps,
    skipped,
  };
}

type Mask = (s: string) => string;

async function tryStep(step: Scenario['steps'][number], scope: TemplateScope, mask: Mask, allowed: (url: string) => boolean): Promise<TryStep> {
  const base: TryStep = { name: step.name, request: null, response: null, error: null, timings: null, stream: null, checks: [], extracted: {}, failedExtractions: [], passed: false };
  let url: string;
  let headers: Record<string, string>;
  let body: string | null;
  try {
    url = compileTemplate(step.url).render(scope);
    const { body: bodyTemplate, contentType } = compileRequestBody(step);
    headers = Object.fromEntries(compileRequestHeaders(step, contentType).map((h) => [h.name, h.value.render(scope)]));
    body = bodyTemplate ? bodyTemplate.render(scope) : null;
    new URL(url);
  } catch (err) {
    return { ...base, error: mask((err as Error).message) };
  }
  const shown = { method: step.method, url: mask(url), headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, mask(v)])), body: body === null ? null : mask(body) };
  // Never sent where the target allow-list refuses, whatever the templates made of the URL.
  if (!allowed(url)) return { ...base, request: shown, error: `host "${mask(new URL(url).hostname)}" is not in TARGET_ALLOWLIST: not sent` };
  const checks = step.checks.map(compileCheck);
  const extractions = Object.entries(step.extract).map(([name, e]) => compileExtraction(name, e));
  const response = new ResponseData();
  const sse = step.stream === 'sse';
  // A dry run always keeps the body and headers: the answer shows them.
  response.reset(NEEDS_BODY | NEEDS_HEADERS, sse);
  const reader = step.stream ? new StreamReader(step.stream, step.tokenUsagePath) : null;
  const timeout = Math.min(step.timeoutMs, TRY_STEP_TIMEOUT_MS);
  const sendAt = performance.now();
  reader?.reset(() => performance.now(), response.events);
  const raw: Buffer[] = [];
  let bodyBytes = 0;
  let headersAt: number;
  let status: number;
  let responseHeaders: Record<string, string>;
  try {
    const res = await request(url, {
      method: step.method as never,
      headers,
      body,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      signal: AbortSignal.timeout(timeout),
    });
    headersAt = performance.now();
    status = res.statusCode;
    responseHeaders = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v ?? '')]));
    response.rawHeaders = Object.entries(responseHeaders).flat();
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      bodyBytes += chunk.length;
      if (reader) reader.feed(chunk);
      if (bodyBytes <= MAX_BODY_BYTES) {
        raw.push(chunk);
        if (!sse) response.chunks!.push(chunk);
      }
    }
    reader?.end();
  } catch (err) {
    const e = err as Error & { code?: string };
    return { ...base, request: shown, error: mask(e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${timeout} ms` : `${e.code ? `${e.code}: ` : ''}${e.message}`) };
  }
  const end = performance.now();
  response.status = status;
  response.latencyMs = end - sendAt;
  const checkResults = checks.map((c) => ({ name: c.name, passed: c.pass(response) }));
  const extracted: Record<string, string> = {};
  const failedExtractions: string[] = [];
  for (const e of extractions) {
    const v = e.take(response);
    if (v === undefined) failedExtractions.push(e.name);
    else extracted[e.name] = v;
  }
  Object.assign(scope.extracted!, extracted);
  const statusOk = checks.some((c) => c.isStatus) || status < 400;
  const text = Buffer.concat(raw).toString('utf8');
  return {
    name: step.name,
    request: shown,
    response: { status, headers: Object.fromEntries(Object.entries(responseHeaders).map(([k, v]) => [k, mask(v)])), bodyExcerpt: mask(text.slice(0, EXCERPT_CHARS)), bodyBytes },
    error: null,
    timings: { firstByteMs: headersAt - sendAt, downloadMs: end - headersAt, totalMs: end - sendAt, timeToFirstEventMs: reader && reader.firstEventAt >= 0 ? reader.firstEventAt - sendAt : null },
    stream: reader ? { events: reader.events, tokens: Object.fromEntries(reader.tokens) } : null,
    checks: checkResults,
    extracted: Object.fromEntries(Object.entries(extracted).map(([k, v]) => [k, mask(v)])),
    failedExtractions,
    passed: statusOk && checkResults.every((c) => c.passed) && failedExtractions.length === 0,
  };
}
