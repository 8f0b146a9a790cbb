/**
 * Per-step, per-interval counters of a factory (docs/metrics.md#recording), modelled on autocannon's hot path:
 * recording a response is a handful of typed-array increments plus two histogram records (the
 * fast path of `recordMicros`), with no allocation (callers that pass integer microseconds also
 * avoid boxing doubles at the call). `swap()` hands out the interval's data (histograms encoded) and starts the next
 * interval on a second, already reset pair of histograms (the HdrHistogram Recorder pattern),
 * so no histogram is ever allocated after construction.
 *
 * Per response the factory also adds the checks it evaluated (`recordChecks`), where the time
 * went (`recordTimings`, and `recordConnect` for a request that opened a socket): typed-array
 * adds too. Failure samples are kept for the first MAX_SAMPLES_PER_KIND failures of each kind
 * in an interval: `wantsSample(kind)` is a counter check, so a caller builds a sample's
 * strings only when it will be kept (`addSample`), and a full kind costs nothing more.
 */
import {
  createLatencyHistogram,
  emptyHistogramEncoded,
  encodeHistogram,
  recordMicros,
  type Histogram,
} from './histogram.js';
import { addCount } from './counts.js';

/** Failure kinds, in reporting order. Unknown kinds are counted as `other`. */
export const FAILURE_KINDS = [
  'timeout',
  'connect_refused',
  'connect_reset',
  'dns',
  'tls',
  'http_4xx',
  'http_5xx',
  'check_failed',
  'extract_failed',
  'dropped',
  'other',
] as const;

export type FailureKind = (typeof FAILURE_KINDS)[number];

const FAILURE_KIND_SET: ReadonlySet<string> = new Set(FAILURE_KINDS);

/** True when `k` is one of the known failure kinds. */
export function isFailureKind(k: unknown): k is FailureKind {
  return typeof k === 'string' && FAILURE_KIND_SET.has(k);
}

/**
 * Where the interval's request time went, summed in whole microseconds (see
 * libs/contracts' timingsSchema): connect/TLS over the requests that opened a socket,
 * first byte/download over the requests that got a response.
 */
export interface TimingSums {
  connectUs: number;
  tlsUs: number;
  connections: number;
  firstByteUs: number;
  downloadUs: number;
  responses: number;
}

/**
 * Failure samples kept per failure kind, step and interval (the value of libs/contracts'
 * MAX_SAMPLES_PER_KIND: this library does not depend on the contracts; a test keeps them equal).
 */
export const MAX_SAMPLES_PER_KIND = 3;

/** Longest `request` and `message` of a sample, in UTF-16 code units (libs/contracts' schema). */
export const MAX_SAMPLE_TEXT = 300;

/** One failed request kept as an example (bounded per kind and interval). */
export interface FailureSampleData {
  kind: string;
  request: string;
  status: number | null;
  message: string;
  at: number;
}

/** One step's data for one interval: plain, JSON-serialisable. */
export interface StepIntervalData {
  step: string;
  /** Every attempt: successes + failures (dropped arrivals included). */
  requests: number;
  successes: number;
  failures: number;
  /** Failures by kind; only non-zero kinds appear. */
  failureKinds: Record<string, number>;
  /** Responses by HTTP status code ("200": n); only non-zero codes appear. */
  statusCodes: Record<string, number>;
  /** Failed checks by check name. */
  failedChecks: Record<string, number>;
  bytesIn: number;
  bytesOut: number;
  /** Checks evaluated, passed or not (the `checks` threshold is 1 − failed/evaluated). */
  checks: number;
  timings: TimingSums;
  samples: FailureSampleData[];
  /** Latency (intended start → end), µs, compressed base64 HDR histogram. */
  latency: string;
  /** Service time (actual send → end), µs, compressed base64 HDR histogram. */
  serviceTime: string;
  /** Streamed steps only (docs/metrics.md#streamed-responses). */
  stream?: StreamIntervalData;
}

/** A streamed step's interval: time to first event, events and token counts. */
export interface StreamIntervalData {
  /** Responses read as a stream. */
  responses: number;
  /** Events (SSE) or body chunks (chunked) over those responses. */
  events: number;
  /** Send → first event (SSE) or first body byte (chunked), µs, compressed base64 HDR histogram. */
  firstEvent: string;
  /** Token counts found at the step's tokenUsagePath, summed by field name. */
  tokens: Record<string, number>;
}

/** Status codes 0–599 are counted in a fixed array; anything else goes to a (rare) map. */
const STATUS_SLOTS = 600;

// Slots of the counters array: totals, timing sums (fractional µs, rounded by swap), then one
// per failure kind in FAILURE_KINDS order, then the samples kept per kind in the same order.
const C_REQUESTS = 0;
const C_SUCCESSES = 1;
const C_FAILURES = 2;
const C_BYTES_IN = 3;
const C_BYTES_OUT = 4;
const C_CHECKS = 5;
const C_CONNECT_US = 6;
const C_TLS_US = 7;
const C_CONNECTIONS = 8;
const C_FIRST_BYTE_US = 9;
const C_DOWNLOAD_US = 10;
const C_RESPONSES = 11;
const C_STREAMS = 12;
const C_EVENTS = 13;
const C_KIND0 = 14;
const C_SAMPLES0 = C_KIND0 + FAILURE_KINDS.length;
const C_SIZE = C_SAMPLES0 + FAILURE_KINDS.length;

/** Slot of a failure kind in FAILURE_KINDS; unknown kinds map to `other`. */
function kindIndex(kind: string): number {
  switch (kind) {
    case 'timeout':
      return 0;
    case 'connect_refused':
      return 1;
    case 'connect_reset':
      return 2;
    case 'dns':
      return 3;
    case 'tls':
      return 4;
    case 'http_4xx':
      return 5;
    case 'http_5xx':
      return 6;
    case 'check_failed':
      return 7;
    case 'extract_failed':
      return 8;
    case 'dropped':
      return 9;
    default:
      return 10; // other
  }
}

export function emptyTimings(): TimingSums {
  return { connectUs: 0, tlsUs: 0, connections: 0, firstByteUs: 0, downloadUs: 0, responses: 0 };
}

/** `s` cut to MAX_SAMPLE_TEXT code units, never in the middle of a surrogate pair. */
function cutText(s: string): string {
  if (s.length <= MAX_SAMPLE_TEXT) return s;
  const last = s.charCodeAt(MAX_SAMPLE_TEXT - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? MAX_SAMPLE_TEXT - 1 : MAX_SAMPLE_TEXT);
}

/** A µs sum as the snapshot carries it: a whole number ≥ 0. */
function wholeUs(sum: number): number {
  return sum > 0 ? Math.round(sum) : 0;
}

export class StepRecorder {
  readonly step: string;

  private latencyActive: Histogram;
  private latencySpare: Histogram;
  private serviceActive: Histogram;
  private serviceSpare: Histogram;

  // Every counter lives in one Float64Array: increments never allocate, whatever the values
  // grow to (object fields holding non-Smi numbers may box them).
  private readonly c = new Float64Array(C_SIZE);

  private readonly statusCounts = new Float64Array(STATUS_SLOTS);
  private readonly oddStatuses = new Map<number, number>();
  private readonly checks = new Map<string, number>();
  private samples: FailureSampleData[] = [];
  /** Streamed steps: time to first event, and token sums by field. */
  private firstEventActive: Histogram | null = null;
  private firstEventSpare: Histogram | null = null;
  private readonly tokens = new Map<string, number>();

  constructor(step: string, options: { streamed?: boolean } = {}) {
    this.step = step;
    this.latencyActive = createLatencyHistogram();
    this.latencySpare = createLatencyHistogram();
    this.serviceActive = createLatencyHistogram();
    this.serviceSpare = createLatencyHistogram();
    if (options.streamed) {
      this.firstEventActive = createLatencyHistogram();
      this.firstEventSpare = createLatencyHistogram();
    }
  }

  /** Requests recorded so far in the current interval. */
  get requests(): number {
    return this.c[C_REQUESTS];
  }

  /** Failures recorded so far in the current interval. */
  get failures(): number {
    return this.c[C_FAILURES];
  }

  /**
   * A response arrived. `failureKind` null means success; otherwise the response counts as a
   * failure of that kind (the caller classifies: e.g. `http_5xx`, `check_failed`). Both
   * durations are recorded (clamped to 1 µs – 60 s).
   */
  recordResponse(
    latencyUs: number,
    serviceUs: number,
    status: number,
    bytesIn: number,
    bytesOut: number,
    failureKind: FailureKind | null,
  ): void {
    const c = this.c;
    c[C_REQUESTS]++;
    if (failureKind === null) c[C_SUCCESSES]++;
    else {
      c[C_FAILURES]++;
      c[C_KIND0 + kindIndex(failureKind)]++;
    }
    if (status >= 0 && status < STATUS_SLOTS && (status | 0) === status) this.statusCounts[status]++;
    else this.countOddStatus(status);
    c[C_BYTES_IN] += bytesIn;
    c[C_BYTES_OUT] += bytesOut;
    recordMicros(this.latencyActive, latencyUs);
    recordMicros(this.serviceActive, serviceUs);
  }

  /**
   * An attempt failed without a response (timeout, connection or DNS/TLS error, dropped
   * arrival...). Counts a request and a failure of `kind`. `latencyUs` (intended start → failure)
   * goes to the latency histogram when it is a number ≥ 0; pass -1 (or NaN) to record no latency,
   * e.g. for a `dropped` arrival that was never sent. The service-time histogram is untouched.
   */
  recordFailure(kind: FailureKind, latencyUs: number): void {
    const c = this.c;
    c[C_REQUESTS]++;
    c[C_FAILURES]++;
    c[C_KIND0 + kindIndex(kind)]++;
    if (latencyUs >= 0) recordMicros(this.latencyActive, latencyUs);
  }

  /**
   * A named check failed. Only the per-name counter moves: whether the response is a failure
   * (`check_failed`) is the caller's call in `recordResponse`.
   */
  recordCheckFailure(name: string): void {
    const m = this.checks;
    m.set(name, (m.get(name) ?? 0) + 1);
  }

  /**
   * `n` (a whole number) checks were evaluated on a response, passed or failed; the failed ones
   * go to recordCheckFailure as well. A value that is not > 0 adds nothing.
   */
  recordChecks(n: number): void {
    if (n > 0) this.c[C_CHECKS] += n;
  }

  /**
   * A response arrived: `firstByteUs` from the send to its head, `downloadUs` from its head to
   * its last byte. Counts one response; a value that is not > 0 (0, negative, NaN) adds nothing.
   */
  recordTimings(firstByteUs: number, downloadUs: number): void {
    const c = this.c;
    c[C_RESPONSES]++;
    if (firstByteUs > 0) c[C_FIRST_BYTE_US] += firstByteUs;
    if (downloadUs > 0) c[C_DOWNLOAD_US] += downloadUs;
  }

  /**
   * A request opened a socket: `connectUs` for the TCP connection (DNS included), `tlsUs` for
   * the TLS handshake after it (0 for plain HTTP). Counts one connection.
   */
  recordConnect(connectUs: number, tlsUs: number): void {
    const c = this.c;
    c[C_CONNECTIONS]++;
    if (connectUs > 0) c[C_CONNECT_US] += connectUs;
    if (tlsUs > 0) c[C_TLS_US] += tlsUs;
  }

  /**
   * A streamed response ended (a recorder built with `streamed`): `firstEventUs` from the send
   * to its first event or body byte (-1: none came), `events` events or chunks read.
   */
  recordStream(firstEventUs: number, events: number): void {
    const c = this.c;
    c[C_STREAMS]++;
    c[C_EVENTS] += events;
    if (firstEventUs >= 0 && this.firstEventActive !== null) recordMicros(this.firstEventActive, firstEventUs);
  }

  /** Token counts found in a streamed response's events, by field name (e.g. `total_tokens`). */
  recordTokens(field: string, n: number): void {
    if (!(n > 0)) return;
    const m = this.tokens;
    m.set(field, (m.get(field) ?? 0) + n);
  }

  /**
   * Whether a failure of `kind` would be kept as a sample: fewer than MAX_SAMPLES_PER_KIND of
   * that kind (unknown kinds: `other`) this interval. A counter check; ask before building the
   * sample's strings.
   */
  wantsSample(kind: FailureKind): boolean {
    return this.c[C_SAMPLES0 + kindIndex(kind)] < MAX_SAMPLES_PER_KIND;
  }

  /**
   * Keeps a failure sample when wantsSample(kind) (otherwise does nothing). `request` (`METHOD
   * url`) and `message` are cut to MAX_SAMPLE_TEXT; `status` is null when no response came (a
   * value that is not an integer 0–999 is stored as null); `at` is epoch ms, rounded.
   */
  addSample(kind: FailureKind, request: string, status: number | null, message: string, at: number): void {
    const i = kindIndex(kind);
    const c = this.c;
    if (c[C_SAMPLES0 + i] >= MAX_SAMPLES_PER_KIND) return;
    c[C_SAMPLES0 + i]++;
    this.samples.push({
      kind: FAILURE_KINDS[i],
      request: cutText(String(request)),
      status: status !== null && Number.isInteger(status) && status >= 0 && status <= 999 ? status : null,
      message: cutText(String(message)),
      at: at > 0 ? Math.round(at) : 0,
    });
  }

  /**
   * Return the interval's data and start the next interval. The histograms swap with their
   * spares (already reset), and the returned ones are encoded then reset to become the spares.
   */
  swap(): StepIntervalData {
    const lat = this.latencyActive;
    this.latencyActive = this.latencySpare;
    this.latencySpare = lat;
    const svc = this.serviceActive;
    this.serviceActive = this.serviceSpare;
    this.serviceSpare = svc;

    const c = this.c;
    const data: StepIntervalData = {
      step: this.step,
      requests: c[C_REQUESTS],
      successes: c[C_SUCCESSES],
      failures: c[C_FAILURES],
      failureKinds: this.failureKindsRecord(),
      statusCodes: this.statusCodesRecord(),
      failedChecks: this.failedChecksRecord(),
      bytesIn: c[C_BYTES_IN],
      bytesOut: c[C_BYTES_OUT],
      checks: c[C_CHECKS],
      timings: {
        connectUs: wholeUs(c[C_CONNECT_US]),
        tlsUs: wholeUs(c[C_TLS_US]),
        connections: c[C_CONNECTIONS],
        firstByteUs: wholeUs(c[C_FIRST_BYTE_US]),
        downloadUs: wholeUs(c[C_DOWNLOAD_US]),
        responses: c[C_RESPONSES],
      },
      samples: this.samples,
      latency: lat.totalCount > 0 ? encodeHistogram(lat) : emptyHistogramEncoded(),
      serviceTime: svc.totalCount > 0 ? encodeHistogram(svc) : emptyHistogramEncoded(),
    };

    if (this.firstEventActive !== null) data.stream = this.swapStream();
    if (lat.totalCount > 0) lat.reset();
    if (svc.totalCount > 0) svc.reset();
    c.fill(0);
    this.statusCounts.fill(0);
    this.oddStatuses.clear();
    this.checks.clear();
    this.samples = []; // the returned array belongs to the caller now
    return data;
  }

  /** Before c is cleared: the stream's counters, histogram swapped and encoded. */
  private swapStream(): StreamIntervalData {
    const first = this.firstEventActive!;
    this.firstEventActive = this.firstEventSpare;
    this.firstEventSpare = first;
    const tokens: Record<string, number> = {};
    for (const [field, n] of this.tokens) addCount(tokens, field, n);
    this.tokens.clear();
    const stream = { responses: this.c[C_STREAMS], events: this.c[C_EVENTS], firstEvent: first.totalCount > 0 ? encodeHistogram(first) : emptyHistogramEncoded(), tokens };
    if (first.totalCount > 0) first.reset();
    return stream;
  }

  private countOddStatus(status: number): void {
    const m = this.oddStatuses;
    m.set(status, (m.get(status) ?? 0) + 1);
  }

  private failureKindsRecord(): Record<string, number> {
    const r: Record<string, number> = {};
    const c = this.c;
    for (let i = 0; i < FAILURE_KINDS.length; i++) {
      const n = c[C_KIND0 + i];
      if (n !== 0) r[FAILURE_KINDS[i]] = n;
    }
    return r;
  }

  private statusCodesRecord(): Record<string, number> {
    const r: Record<string, number> = {};
    const a = this.statusCounts;
    for (let i = 0; i < STATUS_SLOTS; i++) {
      if (a[i] !== 0) r[String(i)] = a[i];
    }
    for (const [status, n] of this.oddStatuses) {
      addCount(r, String(status), n);
    }
    return r;
  }

  private failedChecksRecord(): Record<string, number> {
    const r: Record<string, number> = {};
    for (const [name, n] of this.checks) addCount(r, name, n);
    return r;
  }
}
