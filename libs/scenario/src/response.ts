/**
 * One response as checks and extractions read it (docs/api.md#checks). The transport fills
 * it as the response arrives; what nobody asked for is never kept (a step with no body check
 * or extraction keeps no body), and what is asked for is decoded once (the text, the JSON).
 */
export const NEEDS_HEADERS = 1;
export const NEEDS_BODY = 2;

/** The JSON body when it does not parse. */
export const NOT_JSON: unique symbol = Symbol('not JSON');
export type JsonOrNot = unknown;

export type Source = 'body' | 'lastEvent';

export class ResponseData {
  status = 0;
  /** Send → last byte, ms. */
  latencyMs = 0;
  /** undici's raw headers (name, value, name, value...), when a check or extraction reads headers. */
  rawHeaders: (Buffer | string)[] | null = null;
  /** Body chunks, when something reads the body of a step that is not an SSE stream. */
  chunks: Buffer[] | null = null;
  /** SSE events' data, in order, when something reads the body or the last event. */
  events: string[] | null = null;

  private text: string | null = null;
  private json: unknown = undefined;
  private lastJson: unknown = undefined;

  /** Starts another response, keeping (empty) what the step needs. */
  reset(needs: number, sse: boolean): void {
    this.status = 0;
    this.latencyMs = 0;
    this.rawHeaders = null;
    this.chunks = (needs & NEEDS_BODY) !== 0 && !sse ? [] : null;
    this.events = (needs & NEEDS_BODY) !== 0 && sse ? [] : null;
    this.text = null;
    this.json = undefined;
    this.lastJson = undefined;
  }

  /** A header's value (case-insensitive; repeated headers joined by ", "), or undefined. */
  header(name: string): string | undefined {
    const raw = this.rawHeaders;
    if (raw === null) return undefined;
    const wanted = name.toLowerCase();
    let value: string | undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (raw[i]!.toString().toLowerCase() === wanted) {
        const v = raw[i + 1]!.toString();
        value = value === undefined ? v : `${value}, ${v}`;
      }
    }
    return value;
  }

  /** The body as text; for an SSE stream, its events' data joined by newlines. */
  body(): string {
    if (this.text === null) {
      if (this.events !== null) this.text = this.events.join('\n');
      else this.text = this.chunks === null ? '' : Buffer.concat(this.chunks).toString('utf8');
    }
    return this.text;
  }

  /** The data of the last SSE event ('' when none). */
  lastEvent(): string {
    const e = this.events;
    return e === null || e.length === 0 ? '' : e[e.length - 1]!;
  }

  textOf(source: Source): string {
    return source === 'lastEvent' ? this.lastEvent() : this.body();
  }

  /** The source parsed as JSON, or NOT_JSON; parsed once per response. */
  jsonOf(source: Source): unknown {
    if (source === 'lastEvent') {
      if (this.lastJson === undefined) this.lastJson = parseJson(this.lastEvent());
      return this.lastJson;
    }
    if (this.json === undefined) this.json = parseJson(this.body());
    return this.json;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}
