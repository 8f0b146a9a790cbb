import { HELD_FROM_MINIONS, HeapGrowth, heapGrowthFor } from './heap';

const closed = (minions: number) => ({ lines: [{ atMs: 0, count: minions }], minions });
const open = (arrivals: number) => ({ lines: null, minions: arrivals });

describe('heapGrowthFor', () => {
  it('holds the growth while the running chunks have 1,000 closed-model minions or more, added over chunks', () => {
    expect(heapGrowthFor([closed(HELD_FROM_MINIONS)], 50)).toBe(50);
    expect(heapGrowthFor([closed(HELD_FROM_MINIONS - 1)], 50)).toBe(0);
    expect(heapGrowthFor([closed(600), closed(400)], 50)).toBe(50);
    expect(heapGrowthFor([closed(10_000)], 25)).toBe(25);
  });

  it("leaves V8's own for the open model, however many arrivals it plans, and for no chunk", () => {
    expect(heapGrowthFor([open(600_000)], 50)).toBe(0);
    expect(heapGrowthFor([open(600_000), closed(999)], 50)).toBe(0);
    expect(heapGrowthFor([], 50)).toBe(0);
  });

  it('HEAP_GROWTH_PERCENT=0 never holds it', () => {
    expect(heapGrowthFor([closed(10_000)], 0)).toBe(0);
  });
});

describe('HeapGrowth', () => {
  it('changes the flag only when the chunks change the answer, and gives it back when they end', () => {
    const g = new HeapGrowth(50);
    expect(g.apply([])).toBe(false);
    expect(g.apply([closed(5000)])).toBe(true);
    expect(g.percentNow).toBe(50);
    expect(g.apply([closed(5000), open(1000)])).toBe(false);
    expect(g.apply([open(1000)])).toBe(true);
    expect(g.percentNow).toBe(0);
  });
});
