import type { Dispatcher } from 'undici';
import type { FailureKind, StepRecorder } from '@barrage/metrics';
import type { ClusterClock } from '../clock.js';
import type { Connections, OriginConnections } from '../http/connections.js';
import { requestWireBytes, responseHeadBytes } from '../http/wire-bytes.js';
import type { CompiledScenario, CompiledStep } from '../scenario/compiled.js';
import { renderRequest } from '../scenario/compiled.js';
import { NEEDS_BODY, NEEDS_HEADERS, ResponseData, StreamReader, type TemplateScope } from '@barrage/scenario';

/** What an iteration needs from its chunk; one object per chunk, shared by all iterations. */
export interface IterationContext {
  clock: ClusterClock;
  scenario: CompiledScenario;
  recorders: StepRecorder[];
  connections: Connections;
  /** Called once per iteration when its last step ends (or it stops early). */
  iterationEnded(it: Iteration): void;
  /**
   * The minion's data row: a row, null (the scenario has none), ROWS_EXHAUSTED (`unique`
   * rows all used: the minion ends) or ROWS_PENDING (more are on their way: `whenRows`).
   */
  nextRow(minionId: number): Record<string, string> | null | typeof ROWS_EXHAUSTED | typeof ROWS_PENDING;
  /** Calls `fn` once more `unique` rows have arrived (or they are known to be exhausted). */
  whenRows(fn: () => void): void;
  /** TARGET_ALLOWLIST, re-checked on the factory (docs/security.md#target-allow-list): may load go to this origin? */
  allowsOrigin(origin: string): boolean;
}

export const ROWS_EXHAUSTED: unique symbol = Symbol('rows exhausted');
export const ROWS_PENDING: unique symbol = Symbol('rows pending');

interface PreparedStep {
  step: CompiledStep;
  /** Constant requests: one options object and one origin, built once per chunk. */
  opts: Dispatcher.DispatchOptions | null;
  conns: OriginConnections | null;
  /** Constant requests: their origin and path (failure samples name the request). */
  origin: string | null;
  path: string | null;
  /** Constant requests: bytes undici writes for one (head and body), computed once. */
  bytesOut: number;
  /** Checks evaluated per response: every check and every extraction. */
  checks: number;
}

/** What a transport error says about itself, for a failure sample. */
function errorMessage(err: unknown): string {
  const e = err as { message?: unknown; code?: unknown } | null;
  if (e && typeof e.message === 'string' && e.message !== '') return e.message;
  if (e && typeof e.code === 'string' && e.code !== '') return e.code;
  return String(err);
}

/** Failure kind of a transport error, from undici's and Node's error codes. */
export function classifyError(err: unknown): FailureKind {
  const code = (err as { code?: string })?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') return 'timeout';
  if (code === 'ECONNREFUSED') return 'connect_refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') return 'connect_reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL')) return 'tls';
  return 'other';
}

/** `allowsOrigin`: a constant request to a refused origin takes the per-request path, which refuses and counts it. */
export function prepareSteps(scenario: CompiledScenario, connections: Connections, allowsOrigin: (origin: string) => boolean = () => true): PreparedStep[] {
  return scenario.steps.map((step) => {
    const checks = step.checks.length + step.extractions.length;
    const constant = step.origin !== null && allowsOrigin(step.origin) && step.path !== null && step.staticHeaders !== null && (step.body === null || step.body.constant !== null);
    if (!constant) return { step, opts: null, conns: null, origin: null, path: null, bytesOut: 0, checks };
    const body = step.body?.constant ?? null;
    return {
      step,
      opts: { origin: step.origin!, path: step.path!, method: step.method as Dispatcher.HttpMethod, headers: step.staticHeaders!, body, headersTimeout: step.timeoutMs, bodyTimeout: step.timeoutMs },
      conns: connections.for(step.origin!),
      origin: step.origin!,
      path: step.path!,
      bytesOut: requestWireBytes(step.method, step.origin!, step.path!, step.staticHeaders, body ? Buffer.byteLength(body) : 0),
      checks,
    };
  });
}

/**
 * One minion's iteration through the scenario's steps, and the undici handler of its
 * requests. Reused from one iteration to the next, so a request allocates nothing here:
 * the object is its own dispatch handler and continues through a pre-bound callback.
 */
export class Iteration implements Dispatcher.DispatchHandler {
  minionId = 0;
  iteration = 0;
  /** Cluster ms at which the iteration was due (the arrival instant in the open model). */
  intendedStart = 0;
  startedAt = 0;
  endedAt = 0;
  failed = false;
  stopped = false;
  /** The minion found no `unique` data row left: it ends. */
  exhausted = false;

  private stepIndex = 0;
  private stepIntended = 0;
  private sendAt = 0;
  /** Cluster ms of the response head (0: none yet). */
  private headersAt = 0;
  private status = 0;
  private bytesIn = 0;
  private bytesOut = 0;
  /** What checks and extractions read of the response in flight (steps that evaluate it). */
  private readonly response = new ResponseData();
  /** Per step: the reader of a streamed response, or null. */
  private readonly readers: (StreamReader | null)[];
  private reader: StreamReader | null = null;
  private readonly nowBound = () => this.ctx.clock.now();
  /** Index of the connection carrying the request in flight, or -1. */
  private connection = -1;
  private conns: OriginConnections | null = null;
  /** Origin and path of the request in flight (references, for failure samples only). */
  private origin = '';
  private path = '';
  private abortRequest: ((reason?: Error) => void) | null = null;
  private extracted: Record<string, string> | null = null;
  private row: Record<string, string> | null = null;
  private readonly scope: TemplateScope;
  private readonly continueBound = () => this.runStep();
  private readonly takeRowBound = () => this.takeRow();
  private readonly finishBound = () => this.finish();
  /** A think time being waited out, and what comes after it (continueBound or finishBound): abort() cuts it short. */
  private thinking: NodeJS.Timeout | null = null;
  private afterThinking: (() => void) | null = null;
  private readonly thoughtBound = () => this.thought();

  constructor(
    private readonly ctx: IterationContext,
    private readonly prepared: PreparedStep[],
  ) {
    const sc = ctx.scenario;
    this.scope = { extracted: null, row: null, campaignVars: sc.campaignVars, scenarioVars: sc.scenarioVars, secrets: sc.secrets, minionId: 0, iteration: 0 };
    this.readers = prepared.map((p) => (p.step.stream === null ? null : new StreamReader(p.step.stream, p.step.tokenUsagePath)));
  }

  /** Starts an iteration due at `intendedStart` (cluster ms); `now`: the cluster ms the caller already read, if any. */
  begin(minionId: number, iteration: number, intendedStart: number, now = this.ctx.clock.now()): void {
    this.minionId = minionId;
    this.iteration = iteration;
    this.intendedStart = intendedStart;
    this.startedAt = now;
    this.failed = false;
    this.stopped = false;
    this.stepIndex = 0;
    this.stepIntended = intendedStart;
    this.extracted = null;
    this.takeRow();
  }

  /** The data row, then the first step; a `unique` row may have to be waited for. */
  private takeRow(): void {
    const row = this.ctx.nextRow(this.minionId);
    if (row === ROWS_PENDING) return this.ctx.whenRows(this.takeRowBound);
    if (row === ROWS_EXHAUSTED) {
      this.exhausted = true;
      return this.finish();
    }
    this.row = row;
    this.runStep();
  }

  /** Hard stop: aborts the request in flight (its failure is not recorded), or ends a think time now. */
  abort(): void {
    this.stopped = true;
    this.abortRequest?.(new Error('aborted'));
    if (this.thinking !== null) {
      clearTimeout(this.thinking);
      this.thought();
    }
  }

  private think(ms: number, then: () => void): void {
    this.afterThinking = then;
    this.thinking = setTimeout(this.thoughtBound, ms);
  }

  private thought(): void {
    const then = this.afterThinking!;
    this.thinking = this.afterThinking = null;
    then();
  }

  private runStep(): void {
    if (this.stopped) return this.finish();
    const p = this.prepared[this.stepIndex]!;
    this.status = 0;
    this.headersAt = 0;
    this.bytesIn = 0;
    if (p.step.evaluates) this.prepareResponse(p.step);
    else {
      this.reader = null;
      this.response.chunks = null;
    }
    this.abortRequest = null;
    let opts = p.opts;
    let conns = p.conns;
    let origin = p.origin;
    let path = p.path;
    this.bytesOut = p.bytesOut;
    if (opts === null) {
      try {
        const s = this.scope;
        s.extracted = this.extracted;
        s.row = this.row;
        s.minionId = this.minionId;
        s.iteration = this.iteration;
        const r = renderRequest(p.step, s);
        if (!this.ctx.allowsOrigin(r.origin)) throw new Error(`host of ${r.origin} is not in TARGET_ALLOWLIST: not sent`);
        opts = { origin: r.origin, path: r.path, method: p.step.method as Dispatcher.HttpMethod, headers: r.headers, body: r.body, headersTimeout: p.step.timeoutMs, bodyTimeout: p.step.timeoutMs };
        conns = this.ctx.connections.for(r.origin);
        origin = r.origin;
        path = r.path;
        this.bytesOut = requestWireBytes(p.step.method, r.origin, r.path, r.headers, r.body ? Buffer.byteLength(r.body) : 0);
      } catch (err) {
        // An unresolvable template is a counted failure of this step, not a crash.
        this.sendAt = this.ctx.clock.now();
        const recorder = this.ctx.recorders[this.stepIndex]!;
        recorder.recordFailure('other', (this.sendAt - this.stepIntended) * 1000);
        if (recorder.wantsSample('other')) {
          recorder.addSample('other', `${p.step.method} ${p.step.url.source}`, null, this.ctx.scenario.maskSecrets(errorMessage(err)), Math.round(this.sendAt));
        }
        return this.afterStep(false, this.sendAt);
      }
    }
    this.origin = origin!;
    this.path = path!;
    this.conns = conns!;
    this.connection = conns!.acquire();
    this.sendAt = this.ctx.clock.now();
    conns!.client(this.connection).dispatch(opts, this);
  }

  /** A step that looks at its response: keep what its checks read, and read its stream. */
  private prepareResponse(step: CompiledStep): void {
    const sse = step.stream === 'sse';
    this.response.reset(step.needs, sse);
    this.reader = this.readers[this.stepIndex]!;
    this.reader?.reset(this.nowBound, this.response.events);
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abortRequest = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    // The first head (an informational 1xx comes before the final one) is the first byte.
    if (this.headersAt === 0) this.headersAt = this.ctx.clock.now();
    this.status = statusCode;
    this.bytesIn += responseHeadBytes(rawHeaders, statusText);
    if ((this.prepared[this.stepIndex]!.step.needs & NEEDS_HEADERS) !== 0) this.response.rawHeaders = rawHeaders;
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.bytesIn += chunk.length;
    if (this.reader !== null) this.reader.feed(chunk);
    else if (this.response.chunks !== null) this.response.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    const end = this.ctx.clock.now();
    if (this.stopped) {
      this.releaseClient();
      return this.finish();
    }
    const p = this.prepared[this.stepIndex]!;
    const step = p.step;
    const recorder = this.ctx.recorders[this.stepIndex]!;
    this.takeConnectTiming(recorder);
    this.releaseClient();
    const serviceMs = end - this.sendAt;
    const status = this.status;
    let kind: FailureKind | null = null;
    if (!step.hasStatusCheck) {
      if (status >= 500) kind = 'http_5xx';
      else if (status >= 400) kind = 'http_4xx';
    }
    /** The first failed check or extraction: a sample's message. */
    let failed: string | null = null;
    if (step.evaluates) {
      const r = this.response;
      r.status = status;
      r.latencyMs = serviceMs;
      if (this.reader !== null) this.recordStream(recorder);
      for (const check of step.checks) {
        if (check.pass(r)) continue;
        recorder.recordCheckFailure(check.name);
        // A failed status check names the failure even when the status is a 4xx or 5xx.
        if (check.isStatus || kind === null) kind = 'check_failed';
        failed ??= check.name;
      }
      for (const e of step.extractions) {
        const value = e.take(r);
        if (value !== undefined) (this.extracted ??= {})[e.name] = value;
        else {
          const name = `extract ${e.name}`;
          recorder.recordCheckFailure(name);
          kind ??= 'extract_failed';
          failed ??= name;
        }
      }
      if (p.checks !== 0) recorder.recordChecks(p.checks);
    }
    recorder.recordResponse((end - this.stepIntended) * 1000, serviceMs * 1000, status, this.bytesIn, this.bytesOut, kind);
    const headersAt = this.headersAt === 0 ? end : this.headersAt;
    recorder.recordTimings((headersAt - this.sendAt) * 1000, (end - headersAt) * 1000);
    if (kind !== null && recorder.wantsSample(kind)) {
      this.addSample(recorder, kind, status, failed ?? `HTTP ${status}`, end);
    }
    // The step ended at `end`: the next one is due from there. Only reading the body (or a
    // stream) can take long enough since (it decodes it) to be worth reading the clock again;
    // a status or header check cannot.
    this.afterStep(kind === null, (step.needs & NEEDS_BODY) !== 0 || this.reader !== null ? this.ctx.clock.now() : end);
  }

  /** A streamed response ended: time to its first event, its events and token counts. */
  private recordStream(recorder: StepRecorder): void {
    const reader = this.reader!;
    reader.end();
    recorder.recordStream(reader.firstEventAt < 0 ? -1 : (reader.firstEventAt - this.sendAt) * 1000, reader.events);
    for (const [field, n] of reader.tokens) recorder.recordTokens(field, Math.round(n));
  }

  onError(err: Error): void {
    const end = this.ctx.clock.now();
    if (this.stopped) {
      this.releaseClient();
      return this.finish();
    }
    const recorder = this.ctx.recorders[this.stepIndex]!;
    this.takeConnectTiming(recorder);
    this.releaseClient();
    const kind = classifyError(err);
    recorder.recordFailure(kind, (end - this.stepIntended) * 1000);
    if (recorder.wantsSample(kind)) this.addSample(recorder, kind, null, errorMessage(err), end);
    this.afterStep(false, end);
  }

  /** A socket opened for this request (or while it waited on it): its connect and TLS times. */
  private takeConnectTiming(recorder: StepRecorder): void {
    if (this.connection >= 0) this.conns!.takeConnectTiming(this.connection, recorder);
  }

  /** Only called once the recorder wants the sample: the strings are built here, not before. */
  private addSample(recorder: StepRecorder, kind: FailureKind, status: number | null, message: string, at: number): void {
    const mask = this.ctx.scenario.maskSecrets;
    recorder.addSample(kind, mask(`${this.prepared[this.stepIndex]!.step.method} ${this.origin}${this.path}`), status, mask(message), Math.round(at));
  }

  private releaseClient(): void {
    if (this.connection >= 0) {
      this.conns!.release(this.connection);
      this.connection = -1;
    }
    this.abortRequest = null;
  }

  /** The step ended (cluster ms `now`, read by the caller: one clock read less per step). */
  private afterStep(ok: boolean, now: number): void {
    const step = this.prepared[this.stepIndex]!.step;
    if (!ok) this.failed = true;
    this.stepIndex++;
    if (!ok && step.stopOnFailure) return this.finish(now);
    const think = step.thinkTime;
    const wait = think === null ? 0 : think.min + Math.random() * (think.max - think.min);
    if (this.stepIndex >= this.prepared.length) {
      // The last step's pause is part of the iteration: a looping minion is paced by it.
      if (wait > 0) this.think(wait, this.finishBound);
      else this.finish(now);
      return;
    }
    // The next step is due now (or after the think time): that is its intended start.
    this.stepIntended = now + wait;
    if (wait > 0) this.think(wait, this.continueBound);
    else queueMicrotask(this.continueBound);
  }

  /** `now`: the cluster ms the caller already read, if any. */
  private finish(now = this.ctx.clock.now()): void {
    this.endedAt = now;
    this.ctx.iterationEnded(this);
  }
}
