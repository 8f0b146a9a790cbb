import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { randomUUID } from 'node:crypto';
import { redisKeys, streamMessageSchema, type ChunkEvent, type Snapshot, type StreamMessage } from '@barrage/contracts';
import { IngestRepository } from './ingest.repository.js';
import { RedisService } from '../infra/redis.service.js';
import { withTimeout } from '../infra/dependency.js';
import { LOGGER } from '../common/tokens.js';
import { CampaignsRepository } from '../campaigns/campaigns.repository.js';
import { batchContributions, mergeRow, rowId, type RowKey } from './interval-merge.js';
import { MetricsService } from '../health/metrics.service.js';

type StreamEntries = [id: string, fields: string[]][];

/**
 * A message another head read and did not acknowledge within this time is taken over (that
 * head died or hangs). Well under METRICS_GRACE_MS, so a campaign never closes without the
 * snapshots of a head that crashed; a slow head that was merely late merges nothing twice
 * (receipts), so stealing early costs nothing.
 */
const CLAIM_IDLE_MS = 5_000;
/** How long a stopping head lets a merge under way end. */
const LOOP_DRAIN_MS = 10_000;

/**
 * Reads snapshots and chunk events from the Redis Stream through the heads' consumer group
 * and merges them into Postgres. Idempotent: a (chunk, seq) receipt row is written in the
 * same transaction as the merge, so a redelivered snapshot is acknowledged and dropped.
 */
@Injectable()
export class IngestService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly consumer = `head-${randomUUID().slice(0, 8)}`;
  private conn!: Redis;
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly ingest: IngestRepository,
    private readonly redis: RedisService,
    private readonly repo: CampaignsRepository,
    private readonly metrics: MetricsService,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.conn = this.redis.connect();
    await this.conn.xgroup('CREATE', redisKeys.stream, redisKeys.streamGroup, '0', 'MKSTREAM').catch((e: Error) => {
      if (!e.message.includes('BUSYGROUP')) throw e;
    });
    this.running = true;
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    const up = this.redis.up;
    this.conn?.disconnect(); // unblocks a pending XREADGROUP
    // A merge under way ends. But a command queued while Redis was down is never settled by
    // disconnect() (ioredis has no socket left to close), and waiting on it kept a SIGTERM'd
    // head alive until it was killed: with Redis gone, the loop gets the command bound.
    const bound = up ? LOOP_DRAIN_MS : this.redis.commandTimeoutMs;
    if (this.loop) await withTimeout(this.loop, bound, 'Redis', 'ending the ingest loop').catch(() => this.log.warn({ boundMs: bound }, 'the ingest loop did not end in time; stopping without it'));
  }

  private async run(): Promise<void> {
    let sinceClaim = Number.POSITIVE_INFINITY;
    while (this.running) {
      try {
        // Messages another head read but never acknowledged (it died): take them over.
        if (sinceClaim > CLAIM_IDLE_MS) {
          await this.claimAbandoned();
          sinceClaim = 0;
        }
        const t0 = Date.now();
        const res = (await this.conn.xreadgroup('GROUP', redisKeys.streamGroup, this.consumer, 'COUNT', 200, 'BLOCK', 1000, 'STREAMS', redisKeys.stream, '>')) as
          | [string, StreamEntries][]
          | null;
        if (res) for (const [, entries] of res) await this.handleAll(entries);
        sinceClaim += Date.now() - t0;
      } catch (e) {
        if (!this.running) return;
        this.log.warn({ err: e }, 'ingest loop error; retrying');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async claimAbandoned(): Promise<void> {
    let cursor = '0-0';
    do {
      const [next, entries] = (await this.conn.xautoclaim(redisKeys.stream, redisKeys.streamGroup, this.consumer, CLAIM_IDLE_MS, cursor, 'COUNT', 200)) as [string, StreamEntries, unknown];
      await this.handleAll(entries.filter((e) => e && e[1]));
      cursor = next;
    } while (cursor !== '0-0');
  }

  /**
   * Applies entries in stream order, except that a run of snapshots between two chunk events
   * is merged as a batch per campaign (one transaction each): a chunk's `finished` is never
   * applied before the snapshots the stream had before it.
   */
  private async handleAll(entries: StreamEntries): Promise<void> {
    let snapshots: { id: string; s: Snapshot }[] = [];
    for (const [id, fields] of entries) {
      const raw = fields[fields.indexOf('data') + 1];
      let msg: StreamMessage;
      try {
        msg = streamMessageSchema.parse(JSON.parse(raw ?? 'null'));
      } catch (e) {
        this.log.warn({ err: e, id }, 'dropping stream message');
        await this.acknowledge([id]);
        continue;
      }
      if (msg.type === 'snapshot') {
        snapshots.push({ id, s: msg });
        continue;
      }
      await this.ingestBatch(snapshots);
      snapshots = [];
      await this.applyOne(id, () => this.applyChunkEvent(msg));
    }
    await this.ingestBatch(snapshots);
  }

  /** One message on its own: a permanent failure is logged and dropped, a transient one throws (it stays pending). */
  private async applyOne(id: string, apply: () => Promise<void>): Promise<void> {
    try {
      await apply();
    } catch (e) {
      // A message that can never be applied (campaign deleted) is logged and dropped;
      // a transient failure (database down) throws out of here and the message stays pending.
      if (isPermanent(e)) this.log.warn({ err: e, id }, 'dropping stream message');
      else throw e;
    }
    await this.acknowledge([id]);
  }

  /** Acknowledged means merged in Postgres: the entries are no longer needed in Redis. */
  private async acknowledge(ids: string[]): Promise<void> {
    if (ids.length) await this.conn.multi().xack(redisKeys.stream, redisKeys.streamGroup, ...ids).xdel(redisKeys.stream, ...ids).exec();
  }

  /**
   * Snapshots merged a campaign at a time. The merge of the batch's contributions per row is
   * done before the transaction (no lock held while decoding histograms); inside it, each row
   * touched is read, merged once and written once. When the batch fails for a reason that
   * will not pass (a deleted chunk), its snapshots are retried as batches of one so that only
   * the bad ones are dropped.
   */
  private async ingestBatch(batch: { id: string; s: Snapshot }[]): Promise<void> {
    const byCampaign = new Map<string, { id: string; s: Snapshot }[]>();
    for (const b of batch) {
      const list = byCampaign.get(b.s.campaignKey);
      if (list) list.push(b);
      else byCampaign.set(b.s.campaignKey, [b]);
    }
    for (const [campaignKey, items] of byCampaign) {
      try {
        await this.mergeCampaignBatch(campaignKey, items.map((i) => i.s));
        await this.acknowledge(items.map((i) => i.id));
      } catch (e) {
        if (!isPermanent(e)) throw e;
        for (const { id, s } of items) await this.applyOne(id, () => this.mergeCampaignBatch(campaignKey, [s]));
      }
    }
  }

  private async mergeCampaignBatch(campaignKey: string, snaps: Snapshot[]): Promise<void> {
    let combined = batchContributions(snaps);
    const keys = uniqueKeys([...combined.values()].map((r) => r.c));
    const { fresh, gaps } = await this.ingest.mergeBatch(campaignKey, snaps, keys, (freshSnaps, stored) => {
      // Redeliveries among them (rare): the combination is redone without them.
      if (freshSnaps.length !== snaps.length) combined = batchContributions(freshSnaps);
      const storedById = new Map(stored.map((r) => [rowId(r, r.bucketStart.getTime()), r]));
      const resolutionMs = freshSnaps[0]!.resolutionMs;
      const iterations = new Map<string, number>();
      for (const s of freshSnaps) iterations.set(s.chunkId, (iterations.get(s.chunkId) ?? 0) + s.iterations);
      return {
        rows: [...combined].map(([id, { bucketStart, c }]) => ({ scenario: c.scenario, step: c.step, zone: c.zone, bucketStart, data: mergeRow(storedById.get(id), c, resolutionMs) })),
        samples: freshSnaps.flatMap((s) => s.steps.flatMap((st) => st.samples.map((x) => ({ scenario: s.scenario, step: st.step, zone: s.zone, kind: x.kind, request: x.request, status: x.status, message: x.message, at: new Date(x.at) })))),
        requests: sum(freshSnaps, (s) => sum(s.steps, (st) => st.requests)),
        failures: sum(freshSnaps, (s) => sum(s.steps, (st) => st.failures)),
        minionsStarted: sum(freshSnaps, (s) => s.minionsStarted),
        droppedIterations: sum(freshSnaps, (s) => s.droppedIterations),
        iterations,
      };
    });
    this.metrics.duplicateSnapshots.inc(snaps.length - fresh.length);
    this.metrics.snapshotsIngested.inc(fresh.length);
    const now = Date.now();
    for (const s of fresh) this.metrics.ingestLag.observe(Math.max(0, now - s.bucketStart - s.resolutionMs) / 1000);
    // Out of order or lost: the merge is the same either way; a gap that stays is reported at the end.
    for (const s of gaps) this.log.warn({ campaign: s.campaignKey, chunk: s.chunkId, seq: s.seq }, 'snapshot arrived before its predecessor (gap in seq)');
  }

  async applyChunkEvent(e: ChunkEvent): Promise<void> {
    const at = new Date(e.at);
    const lastSeq = e.lastSeq ?? -1;
    switch (e.event) {
      case 'accepted': {
        await this.ingest.openRun(e.chunkId, e.run, e.factoryId, e.host, at);
        if (!(await this.ingest.firstAccept(e.chunkId, e.factoryId, e.host, at))) return this.takeOver(e, at);
        await this.repo.event(e.campaignKey, 'INFO', `Chunk ${e.chunkId} accepted by factory ${e.factoryId} (${e.host})`);
        await this.repo.transition(e.campaignKey, ['queued'], 'initializing');
        return;
      }
      case 'started':
        return this.ingest.started(e.chunkId, at);
      case 'ready': {
        await this.ingest.ready(e.chunkId, at, e.clockOffsetMs ?? null);
        const u = e.clockUncertaintyMs;
        if (u !== undefined && e.clockBoundMs !== undefined && u > e.clockBoundMs) {
          await this.repo.event(e.campaignKey, 'WARN', `Chunk ${e.chunkId}: factory ${e.factoryId}'s clock uncertainty is ${u.toFixed(2)} ms, past its bound of ${e.clockBoundMs} ms; its zone may start up to that far from the others`);
        }
        return;
      }
      case 'launched': {
        if (e.startLatenessMs === undefined) return;
        await this.ingest.launched(e.chunkId, e.startLatenessMs, e.clockUncertaintyMs ?? null);
        if (e.clockBoundMs !== undefined && Math.abs(e.startLatenessMs) > e.clockBoundMs) {
          await this.repo.event(e.campaignKey, 'WARN', `Chunk ${e.chunkId} sent its first request ${e.startLatenessMs.toFixed(2)} ms from its planned instant on factory ${e.factoryId} (bound ${e.clockBoundMs} ms)`);
        }
        return;
      }
      case 'finished':
        await this.ingest.endRun(e.chunkId, e.run, 'finished', at, lastSeq);
        await this.ingest.ended(e.chunkId, 'finished', at, lastSeq, { rowsExhausted: e.rowsExhausted === true });
        await this.repo.event(e.campaignKey, 'INFO', `Chunk ${e.chunkId} finished on factory ${e.factoryId}: ${e.iterations ?? 0} iterations, ${lastSeq + 1} snapshots`);
        if (e.rowsExhausted) await this.repo.event(e.campaignKey, 'WARN', `Chunk ${e.chunkId}: the scenario's unique data rows ran out; its minions ended before the plan did`);
        return;
      case 'failed':
        await this.ingest.endRun(e.chunkId, e.run, 'failed', at, lastSeq);
        await this.ingest.ended(e.chunkId, 'failed', at, lastSeq, { error: e.error });
        await this.repo.event(e.campaignKey, 'ERROR', `Chunk ${e.chunkId} failed on factory ${e.factoryId}: ${e.error ?? 'unknown error'}`);
        return;
      case 'superseded':
        await this.ingest.endRun(e.chunkId, e.run, 'superseded', at, lastSeq);
        await this.repo.event(e.campaignKey, 'WARN', `Chunk ${e.chunkId}: run ${e.run} on factory ${e.factoryId} stopped after ${lastSeq + 1} snapshots, as another run had taken the chunk over (Redis was unreachable longer than the job lock)`);
        return;
      case 'handed_back':
        await this.ingest.endRun(e.chunkId, e.run, 'handed_back', at, lastSeq);
        // Waiting in the queue for the next factory; lost if none takes it (orchestrator).
        await this.ingest.handedBack(e.chunkId, e.factoryId, at);
        await this.repo.event(e.campaignKey, 'INFO', `Chunk ${e.chunkId} handed back by factory ${e.factoryId} (shutting down) after ${lastSeq + 1} snapshots; another factory of the zone continues it`);
        return;
    }
  }

  /**
   * Another factory accepted a chunk that had one (docs/architecture.md#lost-factory): the previous run died or handed
   * the chunk back. The chunk continues on the new factory; a run still `running` is lost.
   */
  private async takeOver(e: ChunkEvent, at: Date): Promise<void> {
    const chunk = await this.ingest.findChunk(e.chunkId);
    if (!chunk || chunk.status === 'finished' || chunk.status === 'failed') return;
    if (!(await this.ingest.takeOver(e.chunkId, e.run, e.factoryId, e.host, at))) return;
    const previous = chunk.factoryId ?? 'no factory';
    await this.repo.event(e.campaignKey, 'WARN', `Chunk ${e.chunkId} taken over by factory ${e.factoryId} (${e.host}) from ${previous}; it continues from its last reported progress`);
    this.log.warn({ campaign: e.campaignKey, chunk: e.chunkId, from: previous, to: e.factoryId }, 'chunk taken over');
  }
}

function isPermanent(e: unknown): boolean {
  const err = e as { name?: string; code?: string };
  // zod (bad shape), JSON (bad text), P2003/P2025/23503 (campaign or chunk gone)
  return err?.name === 'ZodError' || err?.name === 'SyntaxError' || err?.code === 'P2025' || err?.code === 'P2003' || String((e as Error)?.message).includes('23503');
}

function uniqueKeys(cs: readonly RowKey[]): RowKey[] {
  const seen = new Map<string, RowKey>();
  for (const c of cs) seen.set(`${c.scenario}\u0000${c.step}\u0000${c.zone}`, { scenario: c.scenario, step: c.step, zone: c.zone });
  return [...seen.values()];
}

function sum<T>(list: readonly T[], of: (x: T) => number): number {
  let n = 0;
  for (const x of list) n += of(x);
  return n;
}
