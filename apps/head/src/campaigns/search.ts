import type { CampaignSearch } from '@barrage/contracts';
import type { Prisma } from '../generated/prisma/client.js';

/** `*` and `?` wildcards of a filter term as a case-insensitive LIKE pattern. */
export function likePattern(term: string): string {
  const escaped = term.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%').replace(/\?/g, '_');
  return term.includes('*') || term.includes('?') ? escaped : `%${escaped}%`;
}

const sortColumns: Record<string, keyof Prisma.CampaignOrderByWithRelationInput> = {
  creation: 'createdAt',
  name: 'name',
  status: 'status',
  result: 'result',
  start: 'startedAt',
  end: 'endedAt',
};

export function orderBy(sort: string): Prisma.CampaignOrderByWithRelationInput[] {
  const [field, dir = 'asc'] = sort.split(':');
  const column = sortColumns[field!]!;
  // The key breaks ties so pages never overlap or skip a campaign.
  return [{ [column]: dir }, { key: 'asc' }] as Prisma.CampaignOrderByWithRelationInput[];
}

/** The campaign ids whose name, key, note or a scenario name match any term (SQL, so paging stays in the database). */
export function filterSql(q: CampaignSearch): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const param = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (q.filter) {
    const terms = q.filter.split(',').map((t) => t.trim()).filter(Boolean);
    if (terms.length) {
      const ors = terms.map((t) => {
        const p = param(likePattern(t));
        return `(c.name ILIKE ${p} OR c.key ILIKE ${p} OR c.note ILIKE ${p} OR EXISTS (SELECT 1 FROM chunks k WHERE k.campaign_key = c.key AND k.scenario ILIKE ${p}) OR EXISTS (SELECT 1 FROM jsonb_object_keys(c.definition->'payload'->'scenarios') s WHERE s ILIKE ${p}))`;
      });
      where.push(`(${ors.join(' OR ')})`);
    }
  }
  const list = (s?: string) => (s ? s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean) : []);
  if (list(q.status).length) where.push(`c.status = ANY(${param(list(q.status))})`);
  if (list(q.excludedStatuses).length) where.push(`NOT (c.status = ANY(${param(list(q.excludedStatuses))}))`);
  if (q.createdAfter) where.push(`c.created_at >= ${param(new Date(q.createdAfter))}`);
  if (q.createdBefore) where.push(`c.created_at < ${param(new Date(q.createdBefore))}`);
  return { text: `SELECT c.key FROM campaigns c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`, values };
}
