/** A Server-Sent Events reader for tests: parses `event:`, `id:` and `data:` lines as a browser would. */
export interface SseEvent {
  event: string;
  id: string | null;
  data: any;
}

/**
 * Reads `url` until `stop(events)` says so, the server ends the stream, or `timeoutMs` passes
 * (then it throws, naming what it got). Returns the events and the response status.
 */
export async function readSse(
  url: string,
  opts: { headers?: Record<string, string>; stop?: (events: SseEvent[]) => boolean; timeoutMs?: number } = {},
): Promise<{ status: number; contentType: string | null; events: SseEvent[]; ended: boolean }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 60_000);
  const events: SseEvent[] = [];
  let ended = false;
  try {
    const res = await fetch(url, { headers: opts.headers, signal: controller.signal });
    if (res.status !== 200 || !res.body) return { status: res.status, contentType: res.headers.get('content-type'), events, ended: true };
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const e: SseEvent = { event: 'message', id: null, data: null };
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const i = line.indexOf(':');
          const field = i < 0 ? line : line.slice(0, i);
          const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
          if (field === 'event') e.event = value;
          else if (field === 'id') e.id = value;
          else if (field === 'data') data += (data ? '\n' : '') + value;
        }
        if (!data) continue;
        e.data = JSON.parse(data);
        events.push(e);
      }
      if (opts.stop?.(events)) {
        controller.abort();
        break;
      }
    }
    return { status: 200, contentType: res.headers.get('content-type'), events, ended };
  } catch (e) {
    if ((e as Error).name === 'AbortError' && opts.stop?.(events)) return { status: 200, contentType: null, events, ended };
    throw new Error(`SSE ${url}: ${(e as Error).message}; got ${events.length} events: ${events.map((x) => `${x.event}#${x.id}`).join(' ')}`);
  } finally {
    clearTimeout(timer);
  }
}
