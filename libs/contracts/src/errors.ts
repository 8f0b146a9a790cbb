/** The one error shape of every response (docs/api.md#errors). */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: { path: string; message: string }[] };
}

export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'MALFORMED_JSON'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'INTERNAL'
  | 'UNAVAILABLE';

/** Renders zod issue paths the way the API reports them: `scenarios.http-ok.zones`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}
