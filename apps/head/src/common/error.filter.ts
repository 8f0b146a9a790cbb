import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { ApiError, RETRY_AFTER_S, unavailable } from './api-error.js';
import { DependencyTimeoutError, type Dependency } from '../infra/dependency.js';

/** Every error leaves the head in the one shape of docs/api.md#errors; only a bug becomes a 500. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const error = toApiError(exception);
    if (error.status === 503) this.log.warn({ err: exception }, error.message);
    else if (error.status >= 500) this.log.error({ err: exception }, 'unhandled error');
    if (res.headersSent) return;
    const retryAfter = error.retryAfter ?? (error.status === 503 ? RETRY_AFTER_S : undefined);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(error.status).json(error.toBody());
  }
}

export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  // body-parser's errors carry a `type` and a status; they are the client's fault.
  const e = exception as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') return new ApiError(400, 'MALFORMED_JSON', `malformed JSON: ${e.message}`);
  if (e?.type === 'entity.too.large') return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'request body is too large');
  if (e?.type && e.status && e.status < 500) return new ApiError(e.status, 'VALIDATION_FAILED', e.message ?? 'bad request');
  // A body that does not decode (gzip/deflate/br that is not) reaches us as the decoder's own
  // error, marked by http-errors with a 4xx status and `expose`: the client's fault too.
  const exposed = exception as { status?: unknown; expose?: unknown };
  if (typeof exposed?.status === 'number' && exposed.status >= 400 && exposed.status < 500 && exposed.expose === true) {
    return new ApiError(400, 'VALIDATION_FAILED', `the request body could not be read: ${e.message ?? 'bad encoding'}`, [{ path: 'body', message: 'does not decode with its Content-Encoding' }]);
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 503) return unavailable(exception.message);
    const code = status === 404 ? 'NOT_FOUND' : status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'VALIDATION_FAILED' : 'INTERNAL';
    return new ApiError(status, code, exception.message);
  }
  const down = dependencyFailure(exception);
  if (down) {
    const what = down.dependency === 'Postgres' ? 'the database (Postgres)' : down.dependency === 'Redis' ? 'Redis' : 'a dependency (Postgres or Redis)';
    return unavailable(`${what} is unavailable or too slow (${down.reason}); retry later`);
  }
  return new ApiError(500, 'INTERNAL', 'internal error');
}

// ---------------------------------------------------------------------------------------
// Dependency failures: a 503 the client may retry, never a 500 (docs/api.md#errors).

/**
 * Prisma's codes for a database that cannot be reached or does not answer in time: P1001
 * can't reach, P1002 reached but timed out, P1008 operation timed out, P1017 server closed
 * the connection, P2024 no pool connection in time, P2028 a transaction could not start in
 * time (or expired while the database stalled).
 */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);
/** The pg driver adapter's kinds of the same (meta.driverAdapterError.cause.kind). */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/**
 * Postgres SQLSTATEs: class 08 connection exception, 57014 query_canceled (statement_timeout),
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting or shutting
 * down), 53300 too_many_connections.
 */
const isPgUnavailableState = (code: string) => /^08[0-9A-Z]{3}$/.test(code) || ['57014', '57P01', '57P02', '57P03', '53300'].includes(code);
/** node-postgres's own errors when the server does not answer or the connection dies. */
const PG_MESSAGES = [/^Query read timeout$/, /^Connection terminated/, /^timeout exceeded when trying to connect$/, /is not queryable$/];
/** ioredis: a command past commandTimeout, the offline queue refused or given up, the connection closed; Redis still loading its data. */
const REDIS_MESSAGES = [/^Command timed out$/, /^Stream isn't writeable and enableOfflineQueue options is false$/, /^Connection is closed\.?$/, /^Reached the max retries per request limit/, /^LOADING /];
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  severity?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; code?: unknown; originalCode?: unknown; message?: unknown } } };
  cause?: unknown;
  errors?: unknown;
}

/** The last line of a (Prisma: multi-line) message, short enough for a response. */
function shortReason(message: unknown): string {
  const lines = String(message ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  const last = lines.at(-1) ?? 'no answer';
  return last.length > 200 ? `${last.slice(0, 197)}...` : last;
}

/**
 * Whether `exception` (or an error in its cause chain, or in an AggregateError) says that
 * Postgres or Redis is down, refusing, or did not answer within its bound; which, and why.
 */
export function dependencyFailure(exception: unknown, depth = 0): { dependency: Dependency | null; reason: string } | null {
  if (!exception || typeof exception !== 'object' || depth > 5) return null;
  const e = exception as ErrorLike;
  if (exception instanceof DependencyTimeoutError) return { dependency: exception.dependency, reason: `no answer within ${exception.timeoutMs} ms` };
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (name.startsWith('PrismaClient')) {
    const cause = e.meta?.driverAdapterError?.cause;
    const state = typeof cause?.originalCode === 'string' ? cause.originalCode : typeof cause?.code === 'string' ? cause.code : '';
    if (PRISMA_CODES.has(code) || (typeof cause?.kind === 'string' && ADAPTER_KINDS.has(cause.kind)) || (state && isPgUnavailableState(state))) {
      return { dependency: 'Postgres', reason: shortReason(message) };
    }
    if (name === 'PrismaClientInitializationError') return { dependency: 'Postgres', reason: shortReason(message) };
  }
  // A pg DatabaseError: a SQLSTATE and a severity.
  if (/^[0-9A-Z]{5}$/.test(code) && typeof e.severity === 'string' && isPgUnavailableState(code)) return { dependency: 'Postgres', reason: shortReason(message) };
  if (name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.some((re) => re.test(message))) return { dependency: 'Redis', reason: shortReason(message) };
  if (PG_MESSAGES.some((re) => re.test(message))) return { dependency: 'Postgres', reason: shortReason(message) };
  if (SOCKET_CODES.has(code)) return { dependency: null, reason: code };
  for (const inner of [e.cause, ...(Array.isArray(e.errors) ? e.errors : [])]) {
    const found = dependencyFailure(inner, depth + 1);
    if (found) return found;
  }
  return null;
}
