import { randomBytes } from 'node:crypto';

const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Campaign keys like QALIPSIS's: short, random, lower-case, URL-safe. */
export function newCampaignKey(): string {
  const bytes = randomBytes(12);
  let key = '';
  for (const b of bytes) key += alphabet[b % alphabet.length];
  return key;
}
