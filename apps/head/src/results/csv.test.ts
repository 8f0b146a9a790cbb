import { csvCell, intervalsCsv, INTERVAL_COLUMNS } from './csv';

describe('csv', () => {
  it('quotes commas, quotes and line breaks, and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
    expect(csvCell({ '200': 5, '503': 1 })).toBe('200=5;503=1');
    expect(csvCell(true)).toBe('true');
  });

  it('writes a header and one line per row, every column in order', () => {
    const row = Object.fromEntries(INTERVAL_COLUMNS.map((c, i) => [c, i])) as any;
    row.step = 'log,in';
    const text = intervalsCsv([row, row]);
    const lines = text.split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe(INTERVAL_COLUMNS.join(','));
    expect(lines[1]!.startsWith('0,1,"log,in",3,4')).toBe(true);
    expect(lines[3]).toBe('');
  });
});
