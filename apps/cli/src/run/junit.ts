/**
 * The thresholds of a campaign as a JUnit XML report, the format Jenkins, GitLab, GitHub
 * test reporters and Azure read: one `<testsuite>` for the campaign, one `<testcase>` per
 * threshold (its scenario or step and its expression), a `<failure>` for each breached one,
 * and an `<error>` case when the execution itself failed, so the CI shows why.
 */
export interface JunitThreshold {
  scenario: string | null;
  step: string | null;
  expression: string;
  observed: number | null;
  passed: boolean;
}

export interface JunitInput {
  campaignKey: string;
  campaignName: string;
  status: string;
  result: string | null;
  failureReason: string | null;
  durationSeconds: number;
  /** ISO-8601, the campaign's start. */
  timestamp: string | null;
  thresholds: readonly JunitThreshold[];
}

/** What a threshold applies to: the whole campaign (`*`), a scenario, or `scenario.step`. */
export function thresholdTarget(t: Pick<JunitThreshold, 'scenario' | 'step'>): string {
  if (!t.scenario) return '*';
  return t.step ? `${t.scenario}.${t.step}` : t.scenario;
}

export function thresholdCaseName(t: JunitThreshold): string {
  return `${thresholdTarget(t)}: ${t.expression}`;
}

const observedText = (v: number | null) => (v === null ? 'nothing observed' : `observed ${+v.toFixed(3)}`);

// XML 1.0 refuses most control characters even escaped; a name typed by a user may hold one.
const INVALID_XML_CHARS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

export function escapeXml(text: string): string {
  return text
    .replace(INVALID_XML_CHARS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const attrs = (a: Record<string, string | number>) =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');

function thresholdCase(t: JunitThreshold, suite: string): string {
  const head = `<testcase${attrs({ classname: suite, name: thresholdCaseName(t), time: 0 })}`;
  if (t.passed) return `    ${head}>\n      <system-out>${escapeXml(observedText(t.observed))}</system-out>\n    </testcase>`;
  const message = `${thresholdCaseName(t)} failed: ${observedText(t.observed)}`;
  return `    ${head}>\n      <failure${attrs({ message, type: 'threshold' })}>${escapeXml(message)}</failure>\n    </testcase>`;
}

/** The execution's own failure (aborted, lost chunks, timeouts): not a threshold, an error. */
function executionErrorCase(input: JunitInput, suite: string): string | null {
  if (input.result !== 'error' && input.result !== null) return null;
  const message = `campaign ${input.campaignKey} ended ${input.status}${input.failureReason ? `: ${input.failureReason}` : ''}`;
  return `    <testcase${attrs({ classname: suite, name: 'campaign execution', time: input.durationSeconds })}>\n      <error${attrs({ message, type: input.status })}>${escapeXml(message)}</error>\n    </testcase>`;
}

export function junitXml(input: JunitInput): string {
  const suite = `barrage.${input.campaignName}`;
  const cases = input.thresholds.map((t) => thresholdCase(t, suite));
  const errorCase = executionErrorCase(input, suite);
  if (errorCase) cases.push(errorCase);
  const failures = input.thresholds.filter((t) => !t.passed).length;
  const totals = { tests: cases.length, failures, errors: errorCase ? 1 : 0, time: input.durationSeconds };
  const suiteAttrs = { name: suite, ...totals, skipped: 0, ...(input.timestamp ? { timestamp: input.timestamp } : {}), id: input.campaignKey };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs({ name: 'barrage', ...totals })}>`,
    `  <testsuite${attrs(suiteAttrs)}>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
