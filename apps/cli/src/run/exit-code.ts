/**
 * The exit codes of `barrage run` and `barrage watch`, as a CI job reads them (k6's rule):
 * 0 the campaign completed and every threshold passed, 1 a threshold failed, 2 anything
 * else: a bad file, an unreachable head, an aborted or failed execution.
 */
export const EXIT_PASSED = 0;
export const EXIT_THRESHOLD_FAILED = 1;
export const EXIT_ERROR = 2;
export type ExitCode = typeof EXIT_PASSED | typeof EXIT_THRESHOLD_FAILED | typeof EXIT_ERROR;

/**
 * A campaign's end as an exit code. `result` is the head's verdict: `failed` means a
 * threshold was breached (also when an `abortOnFail` threshold aborted the campaign);
 * `error`, or no result at all, means the execution itself did not go as planned.
 */
export function exitCodeOf(end: { status: string; result: string | null }): ExitCode {
  if (end.result === 'failed') return EXIT_THRESHOLD_FAILED;
  if (end.result === 'passed' && end.status === 'completed') return EXIT_PASSED;
  return EXIT_ERROR;
}
