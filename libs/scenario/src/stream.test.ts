import { StreamReader } from './stream';

function feedAll(reader: StreamReader, parts: string[], times: number[]): void {
  let i = 0;
  reader.reset(() => times[Math.min(i, times.length - 1)]!, []);
  for (const p of parts) {
    reader.feed(Buffer.from(p));
    i++;
  }
  reader.end();
}

describe('StreamReader', () => {
  it('sse: counts events split anywhere across chunks, times the first, keeps data, skips [DONE] as data', () => {
    const r = new StreamReader('sse', '$.usage');
    const parts = ['data: {"t":"He"}\n', '\ndata: {"t":"llo"}\n\nda', 'ta: {"t":"!","usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}\n\n', 'data: [DONE]\n\n'];
    feedAll(r, parts, [100, 150, 200, 250]);
    expect(r.firstEventAt).toBe(150); // the first event ends with the second chunk
    expect(r.events).toBe(4);
    expect(r.kept).toEqual(['{"t":"He"}', '{"t":"llo"}', '{"t":"!","usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}']);
    expect(Object.fromEntries(r.tokens)).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
  });

  it('sse: the first event is timed when it completes, not at the first byte', () => {
    const r = new StreamReader('sse', undefined);
    feedAll(r, [': comment\n\n', 'data: x', '\n\n'], [10, 20, 30]);
    expect(r.firstEventAt).toBe(30);
    expect(r.events).toBe(1);
  });

  it('sse: a number at the token path counts as "tokens"; resets between responses', () => {
    const r = new StreamReader('sse', '$.tokens');
    feedAll(r, ['data: {"tokens":3}\n\ndata: {"tokens":4}\n\n'], [1]);
    expect(Object.fromEntries(r.tokens)).toEqual({ tokens: 7 });
    feedAll(r, ['data: not json\n\n'], [1]);
    expect(r.tokens.size).toBe(0);
    expect(r.events).toBe(1);
  });

  it('chunked: each chunk is an event; the first byte is the first event', () => {
    const r = new StreamReader('chunked', undefined);
    feedAll(r, ['a', 'b', 'c'], [5, 6, 7]);
    expect(r.firstEventAt).toBe(5);
    expect(r.events).toBe(3);
  });
});
