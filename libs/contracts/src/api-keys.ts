import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * API keys (docs/security.md#api-keys): `Authorization: Bearer <key>` on every route but
 * /health, /metrics and the static page. A key is 32 random bytes, shown once; only its
 * SHA-256 is stored (a random 256-bit key needs no slow hash: nothing to brute-force).
 */
export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** admin ⊃ write ⊃ read. */
export function scopeAllows(have: ApiKeyScope, need: ApiKeyScope): boolean {
  return API_KEY_SCOPES.indexOf(have) >= API_KEY_SCOPES.indexOf(need);
}

/** The prefix every key starts with: recognisable in a leak scan, never part of the secret's entropy. */
export const API_KEY_PREFIX = 'brg_';

export function newApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The stored form of a key: hex SHA-256. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Compares two hex hashes in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** `30d`, `12h`, `90m`, `45s` (or an ISO-8601 duration like `P30D`, `PT12H`) in ms; null when unreadable. */
export function parseDurationMs(text: string): number | null {
  const short = /^(\d{1,6})(s|m|h|d|w)$/.exec(text.trim());
  if (short) return Number(short[1]) * { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[short[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  const iso = /^P(?:(\d{1,5})W)?(?:(\d{1,5})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,7})S)?)?$/.exec(text.trim());
  if (!iso || text.trim() === 'P' || text.trim().endsWith('T')) return null;
  const [, w, d, h, m, s] = iso.map((v) => Number(v ?? 0));
  const ms = ((((w! * 7 + d!) * 24 + h!) * 60 + m!) * 60 + s!) * 1000;
  return ms > 0 ? ms : null;
}

/** Longest lifetime a key may be given: ten years. */
const MAX_KEY_LIFETIME_MS = 3650 * 86_400_000;

export const createApiKeySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    scope: z.enum(API_KEY_SCOPES),
    /** A lifetime from now: `30d`, `12h`, `P90D`... */
    expiresIn: z.string().max(40).optional(),
    /** Or an instant (ISO-8601 with a zone). */
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .superRefine((k, ctx) => {
    if (k.expiresIn !== undefined && k.expiresAt !== undefined) ctx.addIssue({ code: 'custom', path: ['expiresIn'], message: 'give expiresIn or expiresAt, not both' });
    if (k.expiresIn !== undefined) {
      const ms = parseDurationMs(k.expiresIn);
      if (ms === null) ctx.addIssue({ code: 'custom', path: ['expiresIn'], message: 'must be a duration such as 30d, 12h, 90m or P30D' });
      else if (ms > MAX_KEY_LIFETIME_MS) ctx.addIssue({ code: 'custom', path: ['expiresIn'], message: 'at most ten years' });
    }
    if (k.expiresAt !== undefined && Date.parse(k.expiresAt) <= Date.now()) ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be in the future' });
  });
export type CreateApiKey = z.output<typeof createApiKeySchema>;

/** A key as listed: never its secret, only its first characters to tell keys apart. */
export const apiKeySchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  scope: z.enum(API_KEY_SCOPES),
  /** `brg_` and the next 6 characters. */
  prefix: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type ApiKey = z.output<typeof apiKeySchema>;

/** The answer to POST /api-keys: the only time `key` is shown. */
export const createdApiKeySchema = apiKeySchema.extend({ key: z.string() });
export type CreatedApiKey = z.output<typeof createdApiKeySchema>;

/** When a key expires, from the creation request. */
export function expiryOf(k: CreateApiKey, now: number): Date | null {
  if (k.expiresAt !== undefined) return new Date(k.expiresAt);
  if (k.expiresIn !== undefined) return new Date(now + parseDurationMs(k.expiresIn)!);
  return null;
}
