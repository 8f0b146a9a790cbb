import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Logger } from 'pino';
import type { HeadConfig } from '@barrage/config';
import type { ApiKeyScope } from '@barrage/contracts';
import { ApiError } from '../common/api-error.js';
import { HEAD_CONFIG, LOGGER } from '../common/tokens.js';
import { ApiKeysService } from './api-keys.service.js';
import { FailedAttempts } from './failed-attempts.js';
import { PUBLIC_ROUTE, REQUIRED_SCOPE } from './scope.decorator.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every route needs `Authorization: Bearer <key>` (docs/security.md#api-keys) unless marked
 * @Public(); the scope is the route's @RequireScope, else read for GET/HEAD and write for the
 * rest. 401 without a usable key, 403 when its scope is too small, 429 past
 * AUTH_FAILURES_PER_MINUTE failures of one client. The key itself is never logged.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly failures: FailedAttempts;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeysService,
    @Inject(HEAD_CONFIG) private readonly config: HeadConfig,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.failures = new FailedAttempts(config.AUTH_FAILURES_PER_MINUTE);
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.config.AUTH_DISABLED) return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const client = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const wait = this.failures.blockedFor(client);
    if (wait > 0) throw new ApiError(429, 'RATE_LIMITED', `too many failed authentications from this client; retry in ${wait} s`, undefined, wait);
    const key = bearer(req);
    const verdict = key === null ? null : await this.keys.verify(key);
    if (verdict === null || !verdict.ok) {
      const reason = verdict === null ? 'missing' : verdict.reason;
      // A key that is presented and wrong is a guess: those are limited. No key at all is not.
      if (verdict !== null) this.failures.record(client);
      this.log.warn({ client, method: req.method, path: req.path, reason }, 'authentication failed');
      throw new ApiError(401, 'UNAUTHORIZED', reason === 'missing' ? 'an API key is required: Authorization: Bearer <key> (docs/security.md)' : `the API key is ${reason === 'unknown' ? 'not valid' : reason}`);
    }
    const need = this.reflector.getAllAndOverride<ApiKeyScope>(REQUIRED_SCOPE, targets) ?? (READ_METHODS.has(req.method) ? 'read' : 'write');
    if (!this.keys.allows(verdict.scope, need)) throw new ApiError(403, 'FORBIDDEN', `this key's scope is ${verdict.scope}; ${req.method} ${req.path} needs ${need}`);
    return true;
  }
}

function bearer(req: Request): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}
