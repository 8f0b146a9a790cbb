/** A factory's record in Redis, refreshed every heartbeat (docs/architecture.md#factory-registry). */
export interface FactoryRecord {
  id: string;
  zone: string;
  host: string;
  capacity: number;
  version: string;
  runningChunks: string[];
  startedAt: string;
  heartbeatAt: string;
  /** The factory's estimate of the cluster clock (docs/architecture.md#time); absent from factories older than it. */
  clock?: FactoryClockState;
  /** `degraded` with the reasons in `problems` (e.g. a clock uncertainty past its bound). */
  health?: 'healthy' | 'degraded';
  problems?: string[];
}

/** A factory's clock as it reports it every heartbeat and with each chunk's readiness. */
export interface FactoryClockState {
  /** How far the factory's own clock is ahead of the cluster clock (Redis TIME), ms: positive = ahead. */
  offsetMs: number;
  /** How wrong its corrected clock may be (half the best RTT plus drift since), ms; null before a sync. */
  uncertaintyMs: number | null;
  /** Round trip of the sample the estimate rests on, ms. */
  rttMs: number | null;
  /** Measured drift of its clock against the cluster's, in parts per million. */
  driftPpm: number;
  /** When it last synced (cluster clock, ISO 8601). */
  lastSyncAt: string | null;
  /** The uncertainty it is configured to stay under (CLOCK_MAX_UNCERTAINTY_MS). */
  boundMs: number;
  withinBound: boolean;
}

/** Redis names shared by head and factories: one place, so the two never disagree. */
export const redisKeys = {
  prefix: 'barrage',
  factory: (id: string) => `barrage:factory:${id}`,
  factoryIds: 'barrage:factories',
  /** Snapshots and chunk events, read by the heads through one consumer group. */
  stream: 'barrage:stream',
  streamGroup: 'heads',
  /** Start instant, abort and end of a campaign, where a factory that missed a message reads them. */
  control: (campaignKey: string) => `barrage:campaign:${campaignKey}:control`,
  controlChannel: (campaignKey: string) => `barrage:control:${campaignKey}`,
  zoneQueue: (zone: string) => `zone-${zone}`,
  /**
   * How far a chunk's plan has been issued (`arrival`, `line`), written at every snapshot and
   * on hand-back: a factory taking the chunk over resumes there instead of skipping the gap.
   */
  chunkProgress: (chunkId: string) => `barrage:chunk:${chunkId}:progress`,
  /** `unique` data rows: the next row index not yet handed to a chunk (INCRBY reserves a block). */
  uniqueRows: (campaignKey: string, scenario: string) => `barrage:campaign:${campaignKey}:rows:${scenario}`,
} as const;

/** A chunk's progress, as written at `redisKeys.chunkProgress`. */
export interface ChunkProgress {
  /** Open model: the next arrival index not yet issued. */
  arrival?: number;
  /** Closed model: the next starting line not yet started. */
  line?: number;
  /** The run that owns the chunk: a run that finds another one here stops (fencing). */
  owner?: string;
}

/** Fields of the control hash. */
export interface CampaignControl {
  /** Epoch ms on the cluster clock. */
  startAt?: number;
  abort?: 'soft' | 'hard';
  /** Epoch ms: a new end set by extend. */
  endAt?: number;
}
