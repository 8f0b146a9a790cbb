import { campaignTable, statusFilter } from './ls';

describe('barrage ls', () => {
  it('aligns the columns and shows a missing result as -', () => {
    const rows = campaignTable([
      { key: 'abc', name: 'smoke', status: 'running', result: null, createdAt: '2026-01-02T10:00:00.000Z', totals: { requests: 1234, failures: 0, minionsStarted: 0, minionsActive: 0, droppedIterations: 0 } },
      { key: 'defghi', name: 'a longer name', status: 'completed', result: 'passed', createdAt: '2026-01-01T09:00:00.000Z', totals: { requests: 5, failures: 0, minionsStarted: 0, minionsActive: 0, droppedIterations: 0 } },
    ]);
    expect(rows).toEqual([
      'KEY     NAME           STATUS     RESULT  CREATED              REQUESTS',
      'abc     smoke          running    -       2026-01-02 10:00:00     1,234',
      'defghi  a longer name  completed  passed  2026-01-01 09:00:00         5',
    ]);
  });

  it('checks the status filter before asking the head', () => {
    expect(statusFilter(undefined)).toBeUndefined();
    expect(statusFilter('running, completed')).toBe('running,completed');
    expect(() => statusFilter('running,finished')).toThrow(/unknown status finished: use created, queued/);
  });
});
