import { Injectable } from '@nestjs/common';
import type { CampaignStatus } from '@barrage/contracts';
import { PrismaService } from '../infra/prisma.service.js';

export type EventLevel = 'INFO' | 'WARN' | 'ERROR';

/** Status transitions and the event log: the writes several heads race on, made atomic in SQL. */
@Injectable()
export class CampaignsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Moves a campaign to `to` only if it is in one of `from`; returns false when another head
   * (or an earlier tick) got there first. The history entry is appended in the same statement.
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
    return rows > 0;
  }

  /** Appends to the event log; a campaign deleted meanwhile (an ended one, by a racing DELETE) has no log to write to. */
  async event(key: string, level: EventLevel, message: string): Promise<void> {
    await this.prisma.$executeRaw`INSERT INTO campaign_events (campaign_key, level, message) SELECT ${key}, ${level}, ${message} WHERE EXISTS (SELECT 1 FROM campaigns WHERE key = ${key})`;
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
}
