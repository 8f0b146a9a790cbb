import type { ChunkStart, StartSync } from '@barrage/contracts';
import type { Chunk } from '../generated/prisma/client.js';

/**
 * How together the chunks started (docs/architecture.md#time): each chunk's start lateness (its first
 * send minus its planned instant, on its factory's corrected clock) and clock uncertainty
 * then, by zone, and the spread (max − min lateness over the chunks that recorded one).
 */
/** A chunk's start fields as the execution route and the report show them. */
export function chunkStart(k: Pick<Chunk, 'readyAt' | 'startLatenessMs' | 'clockUncertaintyMs' | 'clockOffsetMs'>): ChunkStart {
  return { readyAt: k.readyAt?.toISOString() ?? null, startLatenessMs: k.startLatenessMs, clockUncertaintyMs: k.clockUncertaintyMs, clockOffsetMs: k.clockOffsetMs };
}

export function startSync(startAt: Date | null, chunks: Chunk[]): StartSync {
  const zones = new Map<string, StartSync['zones'][number]['chunks']>();
  const late: number[] = [];
  const uncertain: number[] = [];
  for (const k of chunks) {
    const list = zones.get(k.zone) ?? [];
    list.push({
      id: k.id,
      scenario: k.scenario,
      factoryId: k.factoryId,
      ...chunkStart(k),
    });
    zones.set(k.zone, list);
    if (k.startLatenessMs !== null) late.push(k.startLatenessMs);
    if (k.clockUncertaintyMs !== null) uncertain.push(k.clockUncertaintyMs);
  }
  return {
    startAt: startAt?.toISOString() ?? null,
    spreadMs: late.length ? round3(Math.max(...late) - Math.min(...late)) : null,
    maxLatenessMs: late.length ? Math.max(...late) : null,
    maxClockUncertaintyMs: uncertain.length ? Math.max(...uncertain) : null,
    zones: [...zones].map(([zone, list]) => ({ zone, chunks: list })),
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
