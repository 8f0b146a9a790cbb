import { Injectable } from '@nestjs/common';
import type { Snapshot } from '@barrage/contracts';
import { PrismaService } from '../infra/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { RowKey, StoredRow } from './interval-merge.js';

/** What a batch of one campaign's snapshots adds: its rows keyed by bucket too, and per-chunk iterations. */
export interface BatchWrites {
  rows: (RowKey & { bucketStart: number; data: Omit<Prisma.IntervalUncheckedCreateInput, 'campaignKey' | 'scenario' | 'step' | 'zone' | 'bucketStart'> })[];
  samples: Omit<Prisma.FailureSampleCreateManyInput, 'campaignKey'>[];
  requests: number;
  failures: number;
  minionsStarted: number;
  droppedIterations: number;
  iterations: Map<string, number>;
}

export type StoredBatchRow = StoredRow & { bucketStart: Date };

/** Ingest's writes: queries only (the merge rules are in interval-merge.ts). */
@Injectable()
export class IngestRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Merges a batch of one campaign's snapshots in one transaction under the campaign's
   * advisory lock: ~8 round trips and one upsert per row touched, where snapshot by snapshot
   * it is ~30 per snapshot (bench/INGEST.md). Receipts first: only the snapshots whose receipt
   * is new (`fresh`) are handed to `writes`, with the stored rows of their buckets; `gaps` are
   * the fresh ones whose predecessor has not been received. Any error rolls back the whole batch.
   */
  mergeBatch(campaignKey: string, snaps: readonly Snapshot[], keys: readonly RowKey[], writes: (fresh: Snapshot[], stored: StoredBatchRow[]) => BatchWrites): Promise<{ fresh: Snapshot[]; gaps: Snapshot[] }> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(hashtext($1))', campaignKey);
      const inserted = await tx.$queryRawUnsafe<{ chunk_id: string; run: string; seq: number }[]>(
        'INSERT INTO snapshot_receipts (chunk_id, run, seq) SELECT * FROM unnest($1::text[], $2::text[], $3::int[]) ON CONFLICT DO NOTHING RETURNING chunk_id, run, seq',
        snaps.map((x) => x.chunkId),
        snaps.map((x) => x.run),
        snaps.map((x) => x.seq),
      );
      const isNew = new Set(inserted.map((r) => receiptId(r.chunk_id, r.run, r.seq)));
      const fresh = snaps.filter((x) => isNew.delete(receiptId(x.chunkId, x.run, x.seq)));
      if (fresh.length === 0) return { fresh, gaps: [] };
      const later = fresh.filter((x) => x.seq > 0);
      const before = later.length
        ? await tx.$queryRawUnsafe<{ chunk_id: string; run: string; seq: number }[]>(
            'SELECT r.chunk_id, r.run, r.seq FROM snapshot_receipts r JOIN unnest($1::text[], $2::text[], $3::int[]) AS p(chunk_id, run, seq) USING (chunk_id, run, seq)',
            later.map((x) => x.chunkId),
            later.map((x) => x.run),
            later.map((x) => x.seq - 1),
          )
        : [];
      const received = new Set(before.map((r) => receiptId(r.chunk_id, r.run, r.seq + 1)));
      const gaps = later.filter((x) => !received.has(receiptId(x.chunkId, x.run, x.seq)));
      const buckets = [...new Set(fresh.map((x) => x.bucketStart))].map((b) => new Date(b));
      const stored = (await tx.interval.findMany({
        where: { campaignKey, bucketStart: { in: buckets }, OR: keys.map((k) => ({ scenario: k.scenario, step: k.step, zone: k.zone })) },
      })) as StoredBatchRow[];
      const w = writes(fresh, stored);
      for (const r of w.rows) {
        const key = { campaignKey, scenario: r.scenario, step: r.step, zone: r.zone, bucketStart: new Date(r.bucketStart) };
        await tx.interval.upsert({ where: { campaignKey_scenario_step_zone_bucketStart: key }, create: { ...key, ...r.data }, update: r.data });
      }
      if (w.samples.length) await tx.failureSample.createMany({ data: w.samples.map((x) => ({ ...x, campaignKey })) });
      await tx.campaign.update({
        where: { key: campaignKey },
        data: { requests: { increment: w.requests }, failures: { increment: w.failures }, minionsStarted: { increment: w.minionsStarted }, droppedIterations: { increment: w.droppedIterations } },
      });
      const chunks = [...w.iterations];
      // Every chunk of the batch counts: a chunk that is gone fails the batch (23503 / no row), as one snapshot's update does.
      const updated = await tx.$executeRawUnsafe(
        'UPDATE chunks SET iterations = chunks.iterations + v.n FROM unnest($1::text[], $2::bigint[]) AS v(id, n) WHERE chunks.id = v.id',
        chunks.map(([id]) => id),
        chunks.map(([, n]) => n),
      );
      if (updated !== chunks.length) throw Object.assign(new Error(`${chunks.length - updated} of the batch's chunks no longer exist`), { code: 'P2025' });
      return { fresh, gaps };
    });
  }

  // ----- chunk events -----

  async openRun(chunkId: string, run: string, factoryId: string, host: string, at: Date): Promise<void> {
    await this.prisma.chunkRun.upsert({ where: { chunkId_run: { chunkId, run } }, create: { chunkId, run, factoryId, host, acceptedAt: at, outcome: 'running' }, update: {} });
  }

  async endRun(chunkId: string, run: string, outcome: string, at: Date, lastSeq: number): Promise<void> {
    await this.prisma.chunkRun.updateMany({ where: { chunkId, run }, data: { outcome, endedAt: at, lastSeq } });
  }

  /** A chunk's first acceptance; false when it had been accepted (a takeover, or a repeat). */
  async firstAccept(chunkId: string, factoryId: string, host: string, at: Date): Promise<boolean> {
    const n = await this.prisma.chunk.updateMany({ where: { id: chunkId, status: { in: ['queued', 'accepted'] } }, data: { status: 'accepted', factoryId, host, acceptedAt: at } });
    return n.count > 0;
  }

  /** The chunk's first readiness (a takeover's run gets ready after the start: it changes nothing). */
  async ready(chunkId: string, at: Date, clockOffsetMs: number | null): Promise<void> {
    await this.prisma.chunk.updateMany({ where: { id: chunkId, readyAt: null }, data: { readyAt: at, clockOffsetMs } });
  }

  /** The start lateness of the run that started with the plan: recorded once. */
  async launched(chunkId: string, startLatenessMs: number, clockUncertaintyMs: number | null): Promise<void> {
    await this.prisma.chunk.updateMany({ where: { id: chunkId, startLatenessMs: null }, data: { startLatenessMs, clockUncertaintyMs } });
  }

  async started(chunkId: string, at: Date): Promise<void> {
    await this.prisma.chunk.updateMany({ where: { id: chunkId, status: { in: ['queued', 'accepted'] } }, data: { status: 'running', startedAt: at } });
  }

  /** `finished` or `failed`, unless it already is one of them. */
  async ended(chunkId: string, status: 'finished' | 'failed', at: Date, lastSeq: number, end: { error?: string; rowsExhausted?: boolean } = {}): Promise<void> {
    await this.prisma.chunk.updateMany({
      where: { id: chunkId, status: { notIn: ['finished', 'failed'] } },
      data: { status, finishedAt: at, lastSeq, ...(end.rowsExhausted ? { rowsExhausted: true } : {}), ...(status === 'finished' ? { lostAt: null } : { error: end.error ?? 'unknown error' }) },
    });
  }

  async handedBack(chunkId: string, factoryId: string, at: Date): Promise<void> {
    await this.prisma.chunk.updateMany({ where: { id: chunkId, status: { in: ['running', 'accepted'] }, factoryId }, data: { status: 'handed_back', lostAt: at } });
  }

  findChunk(chunkId: string) {
    return this.prisma.chunk.findUnique({ where: { id: chunkId } });
  }

  /** Moves a chunk to a new factory; the other runs still `running` are lost. False if it ended meanwhile. */
  async takeOver(chunkId: string, run: string, factoryId: string, host: string, at: Date): Promise<boolean> {
    await this.prisma.chunkRun.updateMany({ where: { chunkId, run: { not: run }, outcome: 'running' }, data: { outcome: 'lost', endedAt: at } });
    const moved = await this.prisma.chunk.updateMany({ where: { id: chunkId, status: { in: ['running', 'lost', 'accepted', 'handed_back'] } }, data: { status: 'running', factoryId, host, lostAt: null } });
    return moved.count > 0;
  }
}

function receiptId(chunkId: string, run: string, seq: number): string {
  return `${chunkId}\u0000${run}\u0000${seq}`;
}
