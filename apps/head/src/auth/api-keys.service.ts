import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  API_KEY_PREFIX,
  createApiKeySchema,
  expiryOf,
  hashApiKey,
  newApiKey,
  sameHash,
  scopeAllows,
  type ApiKey,
  type ApiKeyScope,
  type CreatedApiKey,
} from '@barrage/contracts';
import { ApiKeysRepository } from './api-keys.repository.js';
import { notFound, parseOr400 } from '../common/api-error.js';
import { LOGGER } from '../common/tokens.js';
import type { ApiKey as ApiKeyRow } from '../generated/prisma/client.js';

/** How long a verified key is trusted without asking Postgres again (a revocation on another head takes this long). */
const VERIFIED_TTL_MS = 5000;
/** lastUsedAt is written at most this often per key. */
const TOUCH_EVERY_MS = 60_000;

export type Verdict = { ok: true; id: string; scope: ApiKeyScope } | { ok: false; reason: 'unknown' | 'revoked' | 'expired' };

/** API keys (docs/security.md#api-keys): created, listed without their secret, revoked, verified. */
@Injectable()
export class ApiKeysService {
  private readonly verified = new Map<string, { row: ApiKeyRow; until: number }>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly repo: ApiKeysRepository,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async create(body: unknown): Promise<CreatedApiKey> {
    const input = parseOr400(createApiKeySchema, body, 'API key');
    const key = newApiKey();
    const row = await this.repo.create({ name: input.name, scope: input.scope, hash: hashApiKey(key), prefix: displayPrefix(key), expiresAt: expiryOf(input, Date.now()) });
    this.log.info({ keyId: row.id, name: row.name, scope: row.scope }, 'API key created');
    return { ...toApiKey(row), key };
  }

  async list(): Promise<ApiKey[]> {
    return (await this.repo.list()).map(toApiKey);
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.repo.revoke(id, new Date()))) throw notFound(`API key "${id}"`);
    for (const [hash, v] of this.verified) if (v.row.id === id) this.verified.delete(hash);
    this.log.info({ keyId: id }, 'API key revoked');
  }

  /** Whether `key` is a usable key, and its scope. */
  async verify(key: string): Promise<Verdict> {
    if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) return { ok: false, reason: 'unknown' };
    const hash = hashApiKey(key);
    const now = Date.now();
    let row = this.verified.get(hash);
    if (!row || row.until < now) {
      const found = await this.repo.byHash(hash);
      // The index found it by hash; compare once more in constant time, as the issue asks.
      if (!found || !sameHash(found.hash, hash)) return { ok: false, reason: 'unknown' };
      row = { row: found, until: now + VERIFIED_TTL_MS };
      this.verified.set(hash, row);
    }
    const r = row.row;
    if (r.revokedAt) return { ok: false, reason: 'revoked' };
    if (r.expiresAt && r.expiresAt.getTime() <= now) return { ok: false, reason: 'expired' };
    this.touch(r.id, now);
    return { ok: true, id: r.id, scope: r.scope as ApiKeyScope };
  }

  allows(scope: ApiKeyScope, need: ApiKeyScope): boolean {
    return scopeAllows(scope, need);
  }

  async usableKeys(): Promise<number> {
    return this.repo.countUsable(new Date());
  }

  private touch(id: string, now: number): void {
    if ((this.touched.get(id) ?? 0) + TOUCH_EVERY_MS > now) return;
    this.touched.set(id, now);
    this.repo.touch(id, new Date(now)).catch(() => undefined);
  }
}

/** `brg_` and six more characters: enough to tell keys apart, far too few to guess one. */
export function displayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}

export function toApiKey(r: ApiKeyRow): ApiKey {
  return {
    id: r.id,
    name: r.name,
    scope: r.scope as ApiKeyScope,
    prefix: r.prefix,
    createdAt: r.createdAt.toISOString(),
    expiresAt: r.expiresAt?.toISOString() ?? null,
    revokedAt: r.revokedAt?.toISOString() ?? null,
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
  };
}
