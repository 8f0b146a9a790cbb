/**
 * When an interval is taken as settled while a campaign runs: factories push a snapshot at
 * each bucket's end and the head merges it within a few hundred ms, so a bucket that ended
 * this long ago has (almost always) every factory's share. The live stream and the live
 * threshold evaluation both wait this long; the final report and verdict read everything.
 */
export const LIVE_SETTLE_MS = 2000;

/** The newest bucketStart that counts as settled at `nowMs`. */
export function settledUntil(nowMs: number, resolutionMs: number): number {
  return nowMs - LIVE_SETTLE_MS - resolutionMs;
}

/** The bucket the campaign's first interval falls in. */
export function firstBucket(startAtMs: number, resolutionMs: number): number {
  return Math.floor(startAtMs / resolutionMs) * resolutionMs;
}
