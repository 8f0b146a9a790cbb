/**
 * A closed-model starting line: `count` minions start at `atMs`, ABSOLUTE milliseconds from
 * the campaign's synchronised start instant (never relative to the previous line), already
 * divided by the campaign's speedFactor once it comes out of `planLines`.
 */
export interface StartingLine {
  atMs: number;
  count: number;
}

/**
 * The most lines one plan may hold. Lines travel in every chunk job and factories walk
 * them in memory: a profile that asks for more (1 minion every millisecond for hours) is
 * refused instead of exhausting the head.
 */
export const MAX_STARTING_LINES = 100_000;

/** A valid profile whose plan is too large to hand to factories: the user's to change (a 400). */
export class PlanTooLargeError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'PlanTooLargeError';
  }
}

/** Appends a line; an empty line is never written (a chunk would wake up for nothing). */
export function pushLine(lines: StartingLine[], atMs: number, count: number): void {
  if (count <= 0) return;
  if (lines.length >= MAX_STARTING_LINES) {
    throw new PlanTooLargeError(`the execution profile yields more than ${MAX_STARTING_LINES} starting lines: use a longer period or resolutionMs, or fewer minions per plan`);
  }
  lines.push({ atMs, count });
}

/** The number of minions the lines start. */
export function totalMinions(lines: readonly StartingLine[]): number {
  let total = 0;
  for (const line of lines) total += line.count;
  return total;
}

/** Throws unless `minionsCount` is a usable number of minions. */
export function assertMinionsCount(minionsCount: number): void {
  if (!Number.isSafeInteger(minionsCount) || minionsCount < 0) {
    throw new RangeError(`minionsCount must be an integer >= 0 (got ${minionsCount})`);
  }
}
