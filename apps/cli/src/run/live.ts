/**
 * Follows `GET /campaigns/{key}/live` until its `complete` event. A dropped connection is
 * resumed with `Last-Event-ID` (the head replays nothing twice and keeps the cumulative
 * numbers), a bounded number of times in a row.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { CliError, type HeadClient } from './head-client.js';
import type { LiveComplete, LiveMetrics, LiveStatus, LiveThreshold } from './live-event.js';

export interface LiveHandlers {
  status(s: LiveStatus): void;
  metrics(m: LiveMetrics): void;
  threshold(t: LiveThreshold): void;
}

/** Reconnections in a row without a single event before giving up. */
const MAX_RECONNECTS = 10;
const RECONNECT_DELAY_MS = 2000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** Resolves with the `complete` event, or null when `signal` stopped the following first. */
export async function followLive(client: HeadClient, key: string, on: LiveHandlers, signal: AbortSignal): Promise<LiveComplete | null> {
  let lastId: string | null = null;
  let failures = 0;
  let lastProblem = '';
  while (!signal.aborted) {
    let end: LiveComplete | null = null;
    let sawEvent = false;
    const dispatch = (e: EventSourceMessage) => {
      sawEvent = true;
      if (e.id !== undefined) lastId = e.id;
      const data = JSON.parse(e.data);
      if (e.event === 'metrics') on.metrics(data as LiveMetrics);
      else if (e.event === 'status') on.status(data as LiveStatus);
      else if (e.event === 'threshold') on.threshold(data as LiveThreshold);
      else if (e.event === 'complete') end = data as LiveComplete;
      else if (e.event === 'error') throw new CliError(`live stream of ${key}: ${(data as { error?: { message?: string } }).error?.message ?? e.data}`);
    };
    try {
      const res = await client.fetch(`/campaigns/${encodeURIComponent(key)}/live`, { headers: lastId === null ? {} : { 'last-event-id': lastId }, signal });
      if (res.status === 404) throw new CliError(`no campaign "${key}" on ${client.base}`);
      if (!res.ok || !res.body) throw new CliError(`GET /campaigns/${key}/live answered ${res.status}`);
      const parser = createParser({ onEvent: dispatch });
      const decoder = new TextDecoder();
      for await (const chunk of res.body) {
        parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
        if (end) return end;
      }
      lastProblem = 'the head closed the stream';
    } catch (e) {
      if (signal.aborted) return null;
      // A 404 or a deleted campaign will not get better; a network error may.
      if (e instanceof CliError && !e.message.startsWith('cannot reach')) throw e;
      lastProblem = (e as Error).message;
    }
    if (end) return end;
    failures = sawEvent ? 1 : failures + 1;
    if (failures > MAX_RECONNECTS) throw new CliError(`lost the live stream of ${key} ${MAX_RECONNECTS} times in a row: ${lastProblem}`);
    await sleep(RECONNECT_DELAY_MS, signal);
  }
  return null;
}
