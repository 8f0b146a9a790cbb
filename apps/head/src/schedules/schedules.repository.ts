import { Injectable } from '@nestjs/common';
import type { Prisma, Schedule } from '../generated/prisma/client.js';
import { PrismaService } from '../infra/prisma.service.js';

export type ScheduleOutcome = 'started' | 'failed' | 'skipped';

/** Schedules, their claimed occurrences and the campaigns they started: queries only. */
@Injectable()
export class SchedulesRepository {
  constructor(private readonly prisma: PrismaService) {}

  async create(data: Prisma.ScheduleCreateInput): Promise<Schedule> {
    return this.prisma.schedule.create({ data });
  }

  find(id: string): Promise<Schedule | null> {
    return this.prisma.schedule.findUnique({ where: { id } });
  }

  /** Null when the schedule is gone (deleted meanwhile). */
  async update(id: string, data: Prisma.ScheduleUpdateInput): Promise<Schedule | null> {
    const { count } = await this.prisma.schedule.updateMany({ where: { id }, data });
    return count ? this.find(id) : null;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.prisma.schedule.deleteMany({ where: { id } })).count > 0;
  }

  async search(q: { name?: string; enabled?: boolean; page: number; size: number }): Promise<{ total: number; schedules: Schedule[] }> {
    const where: Prisma.ScheduleWhereInput = {
      ...(q.name ? { name: { contains: q.name, mode: 'insensitive' } } : {}),
      ...(q.enabled === undefined ? {} : { enabled: q.enabled }),
    };
    const [total, schedules] = await this.prisma.$transaction([
      this.prisma.schedule.count({ where }),
      this.prisma.schedule.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], skip: q.page * q.size, take: q.size }),
    ]);
    return { total, schedules };
  }

  /** Every enabled schedule (the reconcile loop makes sure each has its next job queued). */
  enabled(): Promise<Schedule[]> {
    return this.prisma.schedule.findMany({ where: { enabled: true }, take: 10_000 });
  }

  /** Records the occurrence queued last, unless the schedule is gone. */
  async setNextRun(id: string, nextRunAt: Date | null): Promise<void> {
    await this.prisma.schedule.updateMany({ where: { id }, data: { nextRunAt } });
  }

  /**
   * Claims an occurrence for this head: true only for the first claimer, whatever the number
   * of heads or of jobs for it, so each occurrence starts (or is skipped) once.
   */
  async claim(scheduleId: string, occurrenceAt: Date, outcome: ScheduleOutcome): Promise<boolean> {
    const n = await this.prisma.$executeRaw`INSERT INTO schedule_runs (schedule_id, occurrence_at, outcome) SELECT ${scheduleId}, ${occurrenceAt}, ${outcome} WHERE EXISTS (SELECT 1 FROM schedules WHERE id = ${scheduleId}) ON CONFLICT DO NOTHING`;
    return n > 0;
  }

  async finishRun(scheduleId: string, occurrenceAt: Date, outcome: ScheduleOutcome, campaignKey: string | null): Promise<void> {
    await this.prisma.scheduleRun.updateMany({ where: { scheduleId, occurrenceAt }, data: { outcome, campaignKey } });
  }

  /** Marks a campaign as started by a schedule. */
  async linkCampaign(campaignKey: string, scheduleId: string): Promise<void> {
    await this.prisma.campaign.updateMany({ where: { key: campaignKey }, data: { scheduleId } });
  }

  async campaigns(scheduleId: string, page: number, size: number) {
    const where = { scheduleId };
    const [total, campaigns] = await this.prisma.$transaction([
      this.prisma.campaign.count({ where }),
      this.prisma.campaign.findMany({ where, orderBy: [{ createdAt: 'desc' }, { key: 'asc' }], skip: page * size, take: size }),
    ]);
    return { total, campaigns };
  }
}
