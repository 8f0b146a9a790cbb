import { exitCodeOf } from './exit-code';

it('maps the end of a campaign to the exit code a CI job reads', () => {
  expect(exitCodeOf({ status: 'completed', result: 'passed' })).toBe(0);
  expect(exitCodeOf({ status: 'completed', result: 'failed' })).toBe(1);
  // An abortOnFail threshold aborts the campaign: still a threshold failure.
  expect(exitCodeOf({ status: 'aborted', result: 'failed' })).toBe(1);
  expect(exitCodeOf({ status: 'aborted', result: 'error' })).toBe(2);
  expect(exitCodeOf({ status: 'failed', result: 'error' })).toBe(2);
  expect(exitCodeOf({ status: 'completed', result: 'error' })).toBe(2);
  expect(exitCodeOf({ status: 'running', result: null })).toBe(2);
});
