import type { z } from 'zod';
import { issuePath, type ErrorBody, type ErrorCode } from '@barrage/contracts';

/** An error the API reports as is, in the shape of docs/api.md#errors. Anything else is a bug (500). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: { path: string; message: string }[],
    /** Seconds after which a retry may succeed: sent as the Retry-After header (503, 429). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details?.length ? { details: this.details } : {}) } };
  }
}

export const notFound = (what: string) => new ApiError(404, 'NOT_FOUND', `${what} not found`);
export const conflict = (message: string) => new ApiError(409, 'CONFLICT', message);
/** Seconds a client is told to wait before retrying when a dependency is down. */
export const RETRY_AFTER_S = 5;
/** 503: Postgres or Redis is down or too slow; the request may succeed later (docs/api.md#errors). */
export const unavailable = (message: string) => new ApiError(503, 'UNAVAILABLE', message, undefined, RETRY_AFTER_S);
export const invalid = (message: string, path = '') => new ApiError(400, 'VALIDATION_FAILED', message, [{ path, message }]);

/** Parses input with a contract schema, turning every issue into one 400 with a detail per issue. */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown, what = 'request body'): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message }));
  const first = details[0];
  const message = details.length === 1 && first ? `${what}: ${first.path ? `${first.path}: ` : ''}${first.message}` : `${what} is invalid (${details.length} problems)`;
  throw new ApiError(400, 'VALIDATION_FAILED', message, details);
}
