import { SECRET_MASK } from '@barrage/contracts';

/**
 * Replaces every secret value in a text by SECRET_MASK, longest first (so a secret that
 * contains another is masked whole); the identity when there are none. Whatever leaves a
 * factory or the dry run as text (failure samples, shown requests) passes through it.
 */
export function secretMasker(values: string[]): (text: string) => string {
  const secrets = values.filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (text) => text;
  return (text) => secrets.reduce((t, v) => t.split(v).join(SECRET_MASK), text);
}
