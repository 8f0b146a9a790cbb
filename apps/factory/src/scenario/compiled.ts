import type { Scenario, Step } from '@barrage/contracts';
import { secretMasker, compileCheck, compileRequestBody, compileRequestHeaders, compileExtraction, compileTemplate, type CompiledCheck, type CompiledExtraction, type Template, type TemplateScope } from '@barrage/scenario';

/** A step prepared once per chunk so the hot path only renders what has variables. */
export interface CompiledStep {
  index: number;
  name: string;
  method: string;
  url: Template;
  /** Set when the URL is constant: origin and path split once. */
  origin: string | null;
  path: string | null;
  headers: { name: string; value: Template }[];
  /** Constant headers as undici's flat array, when none has a variable. */
  staticHeaders: string[] | null;
  body: Template | null;
  contentType: string | null;
  checks: CompiledCheck[];
  /** Without a status check, 4xx and 5xx answers are failures by themselves. */
  hasStatusCheck: boolean;
  extractions: CompiledExtraction[];
  /** What the checks and extractions read of a response (NEEDS_HEADERS | NEEDS_BODY). */
  needs: number;
  /** Checks, extractions or a stream: the response is looked at, not only counted. */
  evaluates: boolean;
  stream: 'sse' | 'chunked' | null;
  tokenUsagePath: string | undefined;
  timeoutMs: number;
  thinkTime: { min: number; max: number } | null;
  stopOnFailure: boolean;
}

export interface CompiledScenario {
  name: string;
  steps: CompiledStep[];
  loop: boolean;
  rows: Record<string, string>[] | null;
  rowMode: 'sequential' | 'random' | 'unique';
  scenarioVars: Record<string, string>;
  campaignVars: Record<string, string>;
  secrets: Record<string, string>;
  /** Replaces secret values in a text (failure samples leave the factory; a secret must not). */
  maskSecrets(text: string): string;
}

export function compileStep(step: Step, index: number): CompiledStep {
  const url = compileTemplate(step.url);
  const parsed = url.constant !== null ? new URL(url.constant) : null;
  const { body, contentType } = compileRequestBody(step);
  const headerList = compileRequestHeaders(step, contentType);
  const allConstant = headerList.every((h) => h.value.constant !== null);
  const checks = step.checks.map(compileCheck);
  const extractions = Object.entries(step.extract).map(([name, e]) => compileExtraction(name, e));
  let needs = 0;
  for (const c of [...checks, ...extractions]) needs |= c.needs;
  return {
    index,
    name: step.name,
    method: step.method,
    url,
    origin: parsed ? parsed.origin : null,
    path: parsed ? parsed.pathname + parsed.search : null,
    headers: headerList,
    staticHeaders: allConstant ? headerList.flatMap((h) => [h.name, h.value.constant!]) : null,
    body,
    contentType,
    checks,
    hasStatusCheck: checks.some((c) => c.isStatus),
    extractions,
    needs,
    evaluates: checks.length !== 0 || extractions.length !== 0 || step.stream !== undefined,
    stream: step.stream ?? null,
    tokenUsagePath: step.tokenUsagePath,
    timeoutMs: step.timeoutMs,
    thinkTime: step.thinkTimeMs === undefined ? null : typeof step.thinkTimeMs === 'number' ? { min: step.thinkTimeMs, max: step.thinkTimeMs } : step.thinkTimeMs,
    stopOnFailure: step.stopOnFailure,
  };
}

export function compileScenario(s: Scenario, campaignVars: Record<string, string>): CompiledScenario {
  return {
    name: s.name,
    steps: s.steps.map(compileStep),
    loop: s.loop,
    rows: s.data?.rows ?? null,
    rowMode: s.data?.mode ?? 'sequential',
    scenarioVars: s.variables,
    campaignVars,
    secrets: s.secrets,
    maskSecrets: secretMasker(Object.values(s.secrets)),
  };
}

/** Renders a step's request for one iteration; constant parts are reused as they are. */
export function renderRequest(step: CompiledStep, scope: TemplateScope): { origin: string; path: string; headers: string[]; body: string | null } {
  let origin = step.origin;
  let path = step.path;
  if (origin === null || path === null) {
    const u = new URL(step.url.render(scope));
    origin = u.origin;
    path = u.pathname + u.search;
  }
  const headers = step.staticHeaders ?? step.headers.flatMap((h) => [h.name, h.value.render(scope)]);
  const body = step.body ? (step.body.constant ?? step.body.render(scope)) : null;
  return { origin, path, headers, body };
}
