import { z } from 'zod';

/** POST /campaigns/{key}/abort: soft (minions finish their iteration) unless `hard`. */
export const abortCampaignSchema = z.strictObject({ hard: z.boolean().default(false) }).default({ hard: false });
/** POST /campaigns/{key}/extend: the campaign's new length from its start instant; at most a week. */
export const extendCampaignSchema = z.strictObject({ newDurationMs: z.number().int().min(1).max(7 * 86_400_000) });
