import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { ApiError } from './api-error.js';

/** Every error leaves the head in the one shape of SPEC 3.7; only a bug becomes a 500. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  constructor(private readonly log: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const error = toApiError(exception);
    if (error.status >= 500) this.log.error({ err: exception }, 'unhandled error');
    if (!res.headersSent) res.status(error.status).json(error.toBody());
  }
}

export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  // body-parser's errors carry a `type` and a status; they are the client's fault.
  const e = exception as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') return new ApiError(400, 'MALFORMED_JSON', `malformed JSON: ${e.message}`);
  if (e?.type === 'entity.too.large') return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'request body is too large');
  if (e?.type && e.status && e.status < 500) return new ApiError(e.status, 'VALIDATION_FAILED', e.message ?? 'bad request');
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const code = status === 404 ? 'NOT_FOUND' : status === 413 ? 'PAYLOAD_TOO_LARGE' : status < 500 ? 'VALIDATION_FAILED' : 'INTERNAL';
    return new ApiError(status, code, exception.message);
  }
  return new ApiError(500, 'INTERNAL', 'internal error');
}
