import { Injectable } from '@nestjs/common';
import type { Snapshot } from '@barrage/contracts';
import { PrismaService } from '../infra/prisma.service.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { RowKey, StoredRow } from './interval-merge.js';

/** What a snapshot adds, worked out by the service from the rows already stored. */
export interface SnapshotWrites {
  rows: (RowKey & { data: Omit<Prisma.IntervalUncheckedCreateInput, 'campaignKey' | 'scenario' | 'step' | 'zone' | 'bucketStart'> })[];
  samples: Omit<Prisma.FailureSampleCreateManyInput, 'campaignKey'>[];
  requests: number;
  failures: number;
}

/** Ingest's writes: queries only (the merge rules are in interval-merge.ts). */
@Injectable()
export class IngestRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Merges a snapshot in one transaction under the campaign's advisory lock (the merge is
   * read-modify-write): its receipt, then `writes(stored)` computed from the rows it touches.
   * `fresh` false: a redelivery, nothing written. `gap`: its predecessor was not merged yet.
   */
  mergeSnapshot(s: Snapshot, keys: RowKey[], writes: (stored: StoredRow[]) => SnapshotWrites): Promise<{ fresh: boolean; gap: boolean }> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock(hashtext($1))', s.campaignKey);
      const fresh = await tx.$executeRawUnsafe('INSERT INTO snapshot_receipts (chunk_id, run, seq) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', s.chunkId, s.run, s.seq);
      if (fresh === 0) return { fresh: false, gap: false };
      const gap = s.seq > 0 && (await tx.snapshotReceipt.count({ where: { chunkId: s.chunkId, run: s.run, seq: s.seq - 1 } })) === 0;
      const bucketStart = new Date(s.bucketStart);
      const stored = (await tx.interval.findMany({ where: { campaignKey: s.campaignKey, bucketStart, OR: keys.map((k) => ({ scenario: k.scenario, step: k.step, zone: k.zone })) } })) as StoredRow[];
      const w = writes(stored);
      for (const r of w.rows) {
        const key = { campaignKey: s.campaignKey, scenario: r.scenario, step: r.step, zone: r.zone, bucketStart };
        await tx.interval.upsert({ where: { campaignKey_scenario_step_zone_bucketStart: key }, create: { ...key, ...r.data }, update: r.data });
      }
      if (w.samples.length) await tx.failureSample.createMany({ data: w.samples.map((x) => ({ ...x, campaignKey: s.campaignKey })) });
      await tx.campaign.update({
        where: { key: s.campaignKey },
        data: { requests: { increment: w.requests }, failures: { increment: w.failures }, minionsStarted: { increment: s.minionsStarted }, droppedIterations: { increment: s.droppedIterations } },
      });
      await tx.chunk.update({ where: { id: s.chunkId }, data: { iterations: { increment: s.iterations } } });
      return { fresh: true, gap };
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
  async ended(chunkId: string, status: 'finished' | 'failed', at: Date, lastSeq: number, error?: string): Promise<void> {
    await this.prisma.chunk.updateMany({
      where: { id: chunkId, status: { notIn: ['finished', 'failed'] } },
      data: { status, finishedAt: at, lastSeq, ...(status === 'finished' ? { lostAt: null } : { error: error ?? 'unknown error' }) },
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
