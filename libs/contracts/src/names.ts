import { z } from 'zod';

/**
 * Scenario, step and zone names end up in job ids, Redis keys and URLs, so they are kept to
 * a safe alphabet. BullMQ reserves ':' in custom job ids, hence no ':' here either.
 */
export const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit');
export const zoneSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');
