import { parse } from 'junit2json';
import { escapeXml, junitXml, thresholdCaseName, type JunitInput } from './junit';

const base: JunitInput = {
  campaignKey: 'k1',
  campaignName: 'checkout <smoke> & "more"',
  status: 'completed',
  result: 'failed',
  failureReason: null,
  durationSeconds: 12.5,
  timestamp: '2026-01-01T10:00:00.000Z',
  thresholds: [
    { scenario: 'shop', step: null, expression: 'p95 < 250', observed: 120.4, passed: true },
    { scenario: 'shop', step: 'pay', expression: 'errorRate < 0.01', observed: 0.25, passed: false },
    { scenario: null, step: null, expression: 'count > 0', observed: null, passed: true },
  ],
};

describe('the JUnit report of a campaign', () => {
  it('has one test case per threshold, named by its target and expression, and a failure for each breach', async () => {
    const doc = await parse(junitXml(base));
    const suites = doc!.testsuite!;
    expect(suites).toHaveLength(1);
    expect(suites[0]!).toMatchObject({ name: 'barrage.checkout <smoke> & "more"', tests: 3, failures: 1, errors: 0, time: 12.5, id: 'k1' });
    const cases = suites[0]!.testcase!;
    expect(cases.map((c) => c.name)).toEqual(['shop: p95 < 250', 'shop.pay: errorRate < 0.01', '*: count > 0']);
    expect(cases.map((c) => Boolean(c.failure))).toEqual([false, true, false]);
    expect(cases[1]!.failure![0]!.message).toBe('shop.pay: errorRate < 0.01 failed: observed 0.25');
  });

  it('adds an error case when the execution itself failed, so CI shows why', async () => {
    const doc = await parse(junitXml({ ...base, status: 'aborted', result: 'error', failureReason: 'aborted by a user', thresholds: [base.thresholds[0]!] }));
    const suite = doc!.testsuite![0]!;
    expect(suite).toMatchObject({ tests: 2, failures: 0, errors: 1 });
    expect(suite.testcase![1]!.error![0]!.message).toBe('campaign k1 ended aborted: aborted by a user');
  });

  it('writes a valid document without thresholds and with characters XML refuses', async () => {
    const doc = await parse(junitXml({ ...base, campaignName: 'bell\u0007 and \u{1F680}', result: 'passed', thresholds: [] }));
    expect(doc!.testsuite![0]!).toMatchObject({ name: 'barrage.bell and \u{1F680}', tests: 0, failures: 0 });
    expect(escapeXml(`<a href='x'>&</a>`)).toBe('&lt;a href=&apos;x&apos;&gt;&amp;&lt;/a&gt;');
    expect(thresholdCaseName({ scenario: 's.x', step: 'st', expression: 'max < 1', observed: 1, passed: false })).toBe('s.x.st: max < 1');
  });
});
