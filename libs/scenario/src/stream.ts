import { compile as compileJsonPath, type JSONPathQuery } from 'json-p3';
import { createParser, type EventSourceParser } from 'eventsource-parser';

/**
 * Reads a streamed response as it arrives (docs/metrics.md#streamed-responses): `sse`
 * parses Server-Sent Events, `chunked` counts body chunks. It notes when the first event (or
 * byte) came, counts events, keeps their data when a check or extraction reads them, and
 * sums the token counts found at `tokenUsagePath` in each event's JSON data.
 */
export class StreamReader {
  /** Clock reading of the first event or chunk; -1: none yet. */
  firstEventAt = -1;
  events = 0;
  /** Token counts of the response so far, by field. */
  readonly tokens = new Map<string, number>();
  /** Events' data, when kept (set by the caller per response). */
  kept: string[] | null = null;

  private readonly decoder = new TextDecoder();
  private readonly parser: EventSourceParser | null;
  private readonly tokenPath: JSONPathQuery | null;
  private now: () => number = () => 0;

  constructor(
    readonly mode: 'sse' | 'chunked',
    tokenUsagePath: string | undefined,
  ) {
    this.tokenPath = tokenUsagePath ? compileJsonPath(tokenUsagePath) : null;
    this.parser = mode === 'sse' ? createParser({ onEvent: (e) => this.onEvent(e.data) }) : null;
  }

  /** Before each response: `now` reads the clock the first event is timed on. */
  reset(now: () => number, keep: string[] | null): void {
    this.firstEventAt = -1;
    this.events = 0;
    this.tokens.clear();
    this.kept = keep;
    this.now = now;
    this.parser?.reset();
  }

  feed(chunk: Uint8Array): void {
    if (this.parser === null) {
      if (this.firstEventAt < 0) this.firstEventAt = this.now();
      this.events++;
      return;
    }
    this.parser.feed(this.decoder.decode(chunk, { stream: true }));
  }

  /** The response ended: an event the stream left unterminated is not an event (as EventSource). */
  end(): void {
    if (this.parser !== null) this.decoder.decode();
  }

  private onEvent(data: string): void {
    if (this.firstEventAt < 0) this.firstEventAt = this.now();
    this.events++;
    // OpenAI-style streams end with a `[DONE]` marker: it is an event, but not data.
    if (data === '[DONE]') return;
    this.kept?.push(data);
    if (this.tokenPath !== null) this.countTokens(data);
  }

  private countTokens(data: string): void {
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    for (const node of this.tokenPath!.query(json as never).nodes) {
      const v = node.value;
      if (typeof v === 'number') this.add('tokens', v);
      else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        for (const [field, n] of Object.entries(v)) if (typeof n === 'number') this.add(field, n);
      }
    }
  }

  private add(field: string, n: number): void {
    if (!(n > 0) || !Number.isFinite(n)) return;
    this.tokens.set(field, (this.tokens.get(field) ?? 0) + n);
  }
}
