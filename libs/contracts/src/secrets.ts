import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Scenario secrets at rest (docs/security.md#secrets): each value AES-256-GCM encrypted with
 * SECRETS_KEY, as `enc:v1:` + base64(iv ‖ tag ‖ ciphertext). Postgres and the chunk jobs in
 * Redis hold only this form; the factory decrypts when it compiles the scenario, the head
 * only for a dry run.
 */
export const SECRET_PREFIX_V1 = 'enc:v1:';

/** SECRETS_KEY: 32 bytes, as 64 hex characters or base64 (44 characters); null when malformed. */
export function parseSecretsKey(text: string): Buffer | null {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(t) ? Buffer.from(t, 'base64') : null;
  return key && key.length === 32 ? key : null;
}

export function newSecretsKey(): string {
  return randomBytes(32).toString('base64');
}

export function isEncrypted(value: string): boolean {
  return value.startsWith(SECRET_PREFIX_V1);
}

export function encryptSecret(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return SECRET_PREFIX_V1 + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** Throws when the value was not encrypted with this key (GCM's tag does not match). */
export function decryptSecret(stored: string, key: Buffer): string {
  if (!isEncrypted(stored)) throw new Error('not an encrypted secret');
  const raw = Buffer.from(stored.slice(SECRET_PREFIX_V1.length), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}

export function mapValues(record: Record<string, string>, f: (v: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}
