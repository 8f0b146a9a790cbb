import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { ApiError, conflict, invalid } from '../common/api-error.js';
import { IdempotencyRepository } from './idempotency.repository.js';

/** Visible ASCII, as the IETF draft and payment APIs take it; long enough for a UUID or a hash. */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on the POSTs that create something (the payment-API convention): the
 * first request with a key is served and its answer kept for 24 h; a retry with the same key
 * and body gets that answer again and creates nothing (`Idempotent-Replayed: true`); the same
 * key with another body, or while the first is still being served, is a 409. A first request
 * that fails releases the key, so a corrected retry may use it.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(private readonly repo: IdempotencyRepository) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const header = req.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    return from(this.handle(req, res, String(header), next));
  }

  private async handle(req: Request, res: Response, key: string, next: CallHandler): Promise<unknown> {
    if (!KEY_PATTERN.test(key)) throw invalid('Idempotency-Key must be 1 to 255 visible ASCII characters', 'Idempotency-Key');
    const route = `${req.method} ${req.baseUrl}${req.route?.path ?? req.path}`;
    const bodyHash = createHash('sha256').update(JSON.stringify(req.body ?? null)).digest('hex');
    if (!(await this.repo.claim(key, route, bodyHash))) return this.replay(res, key, route, bodyHash);
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      const location = res.getHeader('location');
      await this.repo.complete(key, route, 201, body, typeof location === 'string' ? location : null);
      return body;
    } catch (e) {
      await this.repo.release(key, route).catch(() => undefined);
      throw e;
    }
  }

  private async replay(res: Response, key: string, route: string, bodyHash: string): Promise<unknown> {
    const first = await this.repo.find(key, route);
    if (!first) throw new ApiError(409, 'CONFLICT', 'a request with this Idempotency-Key just failed; send it again');
    if (first.bodyHash !== bodyHash) throw conflict('this Idempotency-Key was used with a different body: use a new key for a new request');
    if (first.status === null) throw conflict('a request with this Idempotency-Key is still being served; retry in a moment');
    if (first.location) res.location(first.location);
    res.setHeader('idempotent-replayed', 'true');
    return first.response;
  }
}
