import type { CampaignSearch } from '@barrage/contracts';

/** `*` and `?` wildcards of a filter term as a case-insensitive LIKE pattern. */
export function likePattern(term: string): string {
  const escaped = term.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, '%').replace(/\?/g, '_');
  return term.includes('*') || term.includes('?') ? escaped : `%${escaped}%`;
}

const sortColumns: Record<string, string> = {
  creation: 'c.created_at',
  name: 'c.name',
  status: 'c.status',
  result: 'c.result',
  start: 'c.started_at',
  end: 'c.ended_at',
};

/**
 * Two queries for a search page: the number of matches, and the keys of one page in order.
 * Filtering, sorting and paging all stay in the database. A term matches the name, key,
 * note or a scenario name of a campaign.
 */
export function searchSql(q: CampaignSearch): { count: string; page: string; values: unknown[] } {
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
        return `(c.name ILIKE ${p} OR c.key ILIKE ${p} OR c.note ILIKE ${p} OR EXISTS (SELECT 1 FROM jsonb_object_keys(c.definition->'payload'->'scenarios') s WHERE s ILIKE ${p}))`;
      });
      where.push(`(${ors.join(' OR ')})`);
    }
  }
  const list = (s?: string) => (s ? s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean) : []);
  if (list(q.status).length) where.push(`c.status = ANY(${param(list(q.status))})`);
  if (list(q.excludedStatuses).length) where.push(`NOT (c.status = ANY(${param(list(q.excludedStatuses))}))`);
  if (q.createdAfter) where.push(`c.created_at >= ${param(new Date(q.createdAfter))}`);
  if (q.createdBefore) where.push(`c.created_at < ${param(new Date(q.createdBefore))}`);
  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const [field, dir = 'asc'] = q.sort.split(':');
  // The key breaks ties so pages never overlap or skip a campaign.
  const order = `ORDER BY ${sortColumns[field!]!} ${dir === 'desc' ? 'DESC' : 'ASC'}, c.key ASC`;
  return {
    count: `SELECT count(*)::int AS n FROM campaigns c ${whereSql}`,
    page: `SELECT c.key FROM campaigns c ${whereSql} ${order} LIMIT ${q.size} OFFSET ${q.page * q.size}`,
    values,
  };
}
