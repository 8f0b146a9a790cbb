import type { z } from 'zod';
import type { RateSchedule } from '../rate-schedule.js';
import type { StartingLine } from '../starting-line.js';

/**
 * What the registry needs to know of one execution profile, declared in that profile's file.
 * `P` is the canonical profile the schema outputs; `S` the schema itself, kept exact so the
 * union built from the registry keeps every member's input and output types.
 *
 * The functions are methods on purpose: method parameters are bivariant, so a descriptor of
 * one profile fits the registry's descriptor of any profile without a cast. The registry
 * calls each descriptor only with profiles of its own name, which it checks at load.
 */
interface CommonDescriptor<P extends { profile: string }, S extends z.ZodType<P>> {
  /** The canonical name: what the schema outputs in `profile`. */
  readonly name: P['profile'];
  /** Other spellings of `profile` the schema accepts, normalised to `name` (QALIPSIS clients send TIMEFRAME). */
  readonly aliases: readonly string[];
  readonly schema: S;
  /**
   * A valid REST payload. It documents the profile where it is declared, and lets the
   * registry's test parse every name and alias without a table to keep in step.
   */
  readonly example: Readonly<z.input<S>>;
}

/** Closed model: the profile says when minions start. */
export interface ClosedProfileDescriptor<P extends { profile: string }, S extends z.ZodType<P> = z.ZodType<P>>
  extends CommonDescriptor<P, S> {
  readonly model: 'closed';
  /** Starting lines in profile time (before the speedFactor); `minionsCount` is the scenario's. */
  lines(profile: P, minionsCount: number): StartingLine[];
  /** The planned end in profile time; null when minions run once, or until the timeout when the scenario loops. */
  endMs(profile: P): number | null;
  /** Whether a started minion starts a new iteration after each one until the end. */
  replays(scenarioLoop: boolean): boolean;
}

/** Open model: the profile says how fast iterations arrive; they are never replays. */
export interface OpenProfileDescriptor<P extends { profile: string }, S extends z.ZodType<P> = z.ZodType<P>>
  extends CommonDescriptor<P, S> {
  readonly model: 'open';
  /** The rate schedule in profile time (before the speedFactor). */
  rate(profile: P): RateSchedule;
  /** Where the schedule ends, in profile time: an open plan always has an end. */
  endMs(profile: P): number;
}

/**
 * The end and replay rule of the closed profiles without stages: no planned end, and a
 * minion replays only when the scenario loops (it then runs until the campaign's timeout).
 */
export const RUNS_ONCE_UNLESS_LOOPED = {
  endMs: (): null => null,
  replays: (scenarioLoop: boolean): boolean => scenarioLoop,
};
