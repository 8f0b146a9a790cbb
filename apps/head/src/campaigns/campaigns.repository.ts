import { Injectable, Optional } from '@nestjs/common';
import { TERMINAL_STATUSES, type CampaignStatus } from '@barrage/contracts';
import type { Campaign, Chunk, Prisma } from '../generated/prisma/client.js';
import { PrismaService } from '../infra/prisma.service.js';
import { WebhookEvents } from '../webhooks/webhook-events.service.js';

export type EventLevel = 'INFO' | 'WARN' | 'ERROR';

/** Status transitions and the event log: the writes several heads race on, made atomic in SQL. */
@Injectable()
export class CampaignsRepository {
  constructor(
    private readonly prisma: PrismaService,
    @Optional() private readonly webhooks?: WebhookEvents,
  ) {}

  /**
   * Moves a campaign to `to` only if it is in one of `from`; returns false when another head
   * (or an earlier tick) got there first. The history entry is appended in the same statement.
   * Every end of a campaign comes through here, once across heads: its webhook event is queued
   * here (docs/webhooks.md#events).
   */
  async transition(
    key: string,
    from: readonly CampaignStatus[],
    to: CampaignStatus,
    extra: { result?: string; failureReason?: string; resultDetails?: unknown; startAt?: Date; started?: boolean; ended?: boolean } = {},
  ): Promise<boolean> {
    const at = new Date();
    const rows = await this.prisma.$executeRawUnsafe(
      `UPDATE campaigns SET status = $1,
         status_history = status_history || jsonb_build_array(jsonb_build_object('status', $1::text, 'at', $2::text)),
         result = COALESCE($4, result),
         failure_reason = COALESCE($5, failure_reason),
         result_details = COALESCE($6::jsonb, result_details),
         start_at = COALESCE($7, start_at),
         started_at = CASE WHEN $8 THEN COALESCE(started_at, $7, $9) ELSE started_at END,
         ended_at = CASE WHEN $10 THEN $9 ELSE ended_at END
       WHERE key = $3 AND status = ANY($11)`,
      to,
      at.toISOString(),
      key,
      extra.result ?? null,
      extra.failureReason ?? null,
      extra.resultDetails === undefined ? null : JSON.stringify(extra.resultDetails),
      extra.startAt ?? null,
      extra.started ?? false,
      at,
      extra.ended ?? false,
      [...from],
    );
    if (rows > 0) await this.event(key, 'INFO', `Status ${to}${extra.failureReason ? `: ${extra.failureReason}` : ''}`);
    if (rows > 0 && TERMINAL_STATUSES.includes(to)) await this.webhooks?.campaignEnded(key);
    return rows > 0;
  }

  /** Appends to the event log; a campaign deleted meanwhile (an ended one, by a racing DELETE) has no log to write to. */
  async event(key: string, level: EventLevel, message: string): Promise<void> {
    try {
      await this.prisma.$executeRaw`INSERT INTO campaign_events (campaign_key, level, message) SELECT ${key}, ${level}, ${message} WHERE EXISTS (SELECT 1 FROM campaigns WHERE key = ${key})`;
    } catch (e) {
      // A DELETE that commits between the EXISTS and the insert (an abort racing a delete):
      // the campaign is gone, and its log with it; that is not an error of this request.
      if (!isForeignKeyViolation(e)) throw e;
    }
  }

  /**
   * Purges the results of ended, unsaved campaigns past their retention expiry: intervals,
   * samples, events and receipts; the summary and chunks stay, marked with purgedAt.
   * Idempotent, so several heads may sweep at once. Returns the purged keys.
   */
  async purgeExpired(now: Date, terminal: readonly CampaignStatus[]): Promise<string[]> {
    const rows = await this.prisma.campaign.findMany({
      where: { retentionExpiry: { lt: now }, purgedAt: null, status: { in: [...terminal] } },
      select: { key: true },
      take: 100,
    });
    const keys = rows.map((r) => r.key);
    if (keys.length === 0) return [];
    await this.prisma.$transaction([
      this.prisma.interval.deleteMany({ where: { campaignKey: { in: keys } } }),
      this.prisma.failureSample.deleteMany({ where: { campaignKey: { in: keys } } }),
      this.prisma.campaignEvent.deleteMany({ where: { campaignKey: { in: keys } } }),
      this.prisma.snapshotReceipt.deleteMany({ where: { chunk: { campaignKey: { in: keys } } } }),
      this.prisma.campaign.updateMany({ where: { key: { in: keys }, purgedAt: null }, data: { purgedAt: now } }),
    ]);
    return keys;
  }

  /** Rows changed: 0 when the campaign is gone (deleted meanwhile). */
  async setRetention(key: string, retentionExpiry: Date | null): Promise<number> {
    return (await this.prisma.campaign.updateMany({ where: { key }, data: { retentionExpiry } })).count;
  }

  async setNote(key: string, note: string): Promise<number> {
    return (await this.prisma.campaign.updateMany({ where: { key }, data: { note } })).count;
  }

  /** Deletes the campaign (and, by cascade, all of it) only if it has ended; 0 otherwise. */
  async deleteEnded(key: string, terminal: readonly CampaignStatus[]): Promise<number> {
    return (await this.prisma.campaign.deleteMany({ where: { key, status: { in: [...terminal] } } })).count;
  }

  /** A new end for a running campaign; the timeout moves with it so it cannot cut the extension short. */
  setEnd(key: string, timeoutMs: number) {
    return this.prisma.campaign.updateMany({ where: { key, status: 'running' }, data: { timeoutMs } });
  }

  // ----- reads and the creation (queries only) -----

  /** Writes a new campaign with its chunks in one statement. */
  async create(data: Prisma.CampaignCreateInput): Promise<void> {
    await this.prisma.campaign.create({ data });
  }

  find(key: string): Promise<Campaign | null> {
    return this.prisma.campaign.findUnique({ where: { key } });
  }

  async exists(key: string): Promise<boolean> {
    return (await this.prisma.campaign.count({ where: { key } })) > 0;
  }

  /** A page of campaigns by the search's SQL (campaigns/search.ts), in its order, and the match count. */
  async search(sql: { count: string; page: string; values: unknown[] }): Promise<{ total: number; campaigns: Campaign[] }> {
    const [{ n: total }] = await this.prisma.$queryRawUnsafe<{ n: number }[]>(sql.count, ...sql.values);
    const keys = (await this.prisma.$queryRawUnsafe<{ key: string }[]>(sql.page, ...sql.values)).map((r) => r.key);
    const byKey = new Map((await this.prisma.campaign.findMany({ where: { key: { in: keys } } })).map((c) => [c.key, c]));
    return { total: total!, campaigns: keys.map((k) => byKey.get(k)!).filter(Boolean) };
  }

  /** Chunks by zone, scenario and index, each with its runs in order. */
  chunksWithRuns(key: string) {
    return this.prisma.chunk.findMany({
      where: { campaignKey: key },
      orderBy: [{ zone: 'asc' }, { scenario: 'asc' }, { index: 'asc' }],
      include: { runs: { orderBy: { acceptedAt: 'asc' } } },
    });
  }

  events(key: string) {
    return this.prisma.campaignEvent.findMany({ where: { campaignKey: key }, orderBy: { id: 'asc' } });
  }

  /** The minions gauge of the newest campaign-wide interval. */
  async latestMinionsActive(key: string): Promise<number> {
    const row = await this.prisma.interval.findFirst({
      where: { campaignKey: key, scenario: '*', step: '*', zone: '*' },
      orderBy: { bucketStart: 'desc' },
      select: { minionsActive: true },
    });
    return row?.minionsActive ?? 0;
  }

  // ----- what the orchestrator reads and marks -----

  /** Every campaign not yet ended, with its chunks. */
  activeWithChunks(active: readonly CampaignStatus[]) {
    return this.prisma.campaign.findMany({ where: { status: { in: [...active] } }, include: { chunks: true } });
  }

  /** Marks a chunk lost if it is still as seen (status and factory), and its running run with it. */
  async markLost(chunk: Chunk, at: Date): Promise<boolean> {
    const marked = await this.prisma.chunk.updateMany({ where: { id: chunk.id, status: chunk.status, factoryId: chunk.factoryId }, data: { status: 'lost', lostAt: at } });
    if (!marked.count) return false;
    await this.prisma.chunkRun.updateMany({ where: { chunkId: chunk.id, outcome: 'running' }, data: { outcome: 'lost', endedAt: at } });
    return true;
  }

  /** The runs of a chunk that said how many snapshots they sent. */
  announcedRuns(chunkId: string) {
    return this.prisma.chunkRun.findMany({ where: { chunkId, lastSeq: { not: null } } });
  }

  async receivedSeqs(chunkId: string, run: string): Promise<number[]> {
    return (await this.prisma.snapshotReceipt.findMany({ where: { chunkId, run }, select: { seq: true } })).map((r) => r.seq);
  }

  receivedCount(chunkId: string, run: string): Promise<number> {
    return this.prisma.snapshotReceipt.count({ where: { chunkId, run } });
  }
}

/** Postgres 23503 (foreign_key_violation), as the pg adapter reports it through Prisma. */
function isForeignKeyViolation(e: unknown): boolean {
  const err = e as { code?: string; meta?: { code?: string; driverAdapterError?: { cause?: { originalCode?: string; kind?: string } } }; message?: string };
  const cause = err.meta?.driverAdapterError?.cause;
  return err.code === '23503' || err.meta?.code === '23503' || cause?.originalCode === '23503' || cause?.kind === 'ForeignKeyConstraintViolation' || /23503|foreign key/i.test(err.message ?? '');
}
