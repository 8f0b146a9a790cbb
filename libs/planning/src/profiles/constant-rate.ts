import { z } from 'zod';
import { scheduleOf, type RateSchedule } from '../rate-schedule.js';
import type { OpenProfileDescriptor } from './descriptor.js';
import { durationMs, maxInFlightField, rate } from './fields.js';

/** CONSTANT_RATE (open model): `rate` iterations per second for `durationMs`. */
export interface ConstantRateProfile {
  profile: 'CONSTANT_RATE';
  /** Iterations per second. */
  rate: number;
  durationMs: number;
  /** @defaultValue 1000 */
  maxInFlight: number;
}

export const constantRateSchema = z
  .object({
    profile: z.literal('CONSTANT_RATE'),
    rate: rate('rate', true),
    durationMs: durationMs('durationMs'),
    maxInFlight: maxInFlightField(),
  })
  .transform((value): ConstantRateProfile => ({ ...value, profile: 'CONSTANT_RATE' }));

/** A single flat segment, in profile time (before the speedFactor). */
export function constantRateSchedule(profile: ConstantRateProfile): RateSchedule {
  return scheduleOf([{ durationMs: profile.durationMs, fromRate: profile.rate, toRate: profile.rate }]);
}

export const constantRateDescriptor: OpenProfileDescriptor<ConstantRateProfile, typeof constantRateSchema> = {
  name: 'CONSTANT_RATE',
  aliases: [],
  model: 'open',
  schema: constantRateSchema,
  example: { profile: 'CONSTANT_RATE', rate: 10, durationMs: 1000 },
  rate: constantRateSchedule,
  endMs: (profile) => profile.durationMs,
};
