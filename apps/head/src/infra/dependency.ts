/** The dependencies whose outage turns a request into a 503 (docs/api.md#errors). */
export type Dependency = 'Postgres' | 'Redis';

/** A dependency did not answer within its bound: the request answers 503 instead of waiting. */
export class DependencyTimeoutError extends Error {
  constructor(
    readonly dependency: Dependency,
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`${dependency} did not answer within ${timeoutMs} ms (${what})`);
    this.name = 'DependencyTimeoutError';
  }
}

/**
 * Rejects with a DependencyTimeoutError when `promise` has not settled within `ms`. The
 * operation itself is not cancelled (a command already sent to Redis may still run later):
 * the caller must leave things safe when that happens.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, dependency: Dependency, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DependencyTimeoutError(dependency, what, ms)), ms);
  });
  // A late rejection of the abandoned operation must not become an unhandled rejection.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
