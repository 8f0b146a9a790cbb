/** `barrage ls`: the campaigns on a head, newest first, with their status and result. */
import pc from 'picocolors';
import { CAMPAIGN_STATUSES, type CampaignSummary, type Page } from '@barrage/contracts';
import { EXIT_PASSED, type ExitCode } from './exit-code.js';
import { asExitCode } from './follow.js';
import { CliError, HeadClient, type HeadOptions } from './head-client.js';
import { formatCount } from './progress.js';

export interface LsOptions extends HeadOptions {
  status?: string;
  limit: number;
  json: boolean;
}

const COLUMNS = ['KEY', 'NAME', 'STATUS', 'RESULT', 'CREATED', 'REQUESTS'] as const;

/** A plain table (pure): one row per campaign, columns padded to their widest cell. */
export function campaignTable(campaigns: readonly Pick<CampaignSummary, 'key' | 'name' | 'status' | 'result' | 'createdAt' | 'totals'>[]): string[] {
  const rows = campaigns.map((c) => [c.key, c.name.length > 40 ? `${c.name.slice(0, 39)}…` : c.name, c.status, c.result ?? '-', c.createdAt.slice(0, 19).replace('T', ' '), formatCount(c.totals.requests)]);
  const widths = COLUMNS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
  return [line(COLUMNS), ...rows.map(line)];
}

/** `--status running,completed` checked before asking the head, naming the statuses it knows. */
export function statusFilter(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const wanted = text.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((s) => !(CAMPAIGN_STATUSES as readonly string[]).includes(s));
  if (unknown.length) throw new CliError(`unknown status ${unknown.join(', ')}: use ${CAMPAIGN_STATUSES.join(', ')}`);
  return wanted.join(',');
}

export function lsCommand(opts: LsOptions): Promise<ExitCode> {
  return asExitCode(async () => {
    const status = statusFilter(opts.status);
    const query = new URLSearchParams({ sort: 'creation:desc', size: String(opts.limit), ...(status ? { status } : {}) });
    const page = await new HeadClient(opts).json<Page<CampaignSummary>>('GET', `/campaigns?${query}`);
    if (opts.json) console.log(JSON.stringify(page.elements, null, 2));
    else if (page.elements.length === 0) console.log(pc.dim('no campaigns'));
    else {
      const [header, ...rows] = campaignTable(page.elements);
      console.log(pc.bold(header!));
      for (const row of rows) console.log(row);
      if (page.totalElements > page.elements.length) console.log(pc.dim(`(${page.elements.length} of ${page.totalElements}; --limit shows more)`));
    }
    return EXIT_PASSED;
  });
}
