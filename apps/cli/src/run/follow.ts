/**
 * What `barrage run` and `barrage watch` share once a campaign exists: the live display
 * until it ends, then the report, the summary, the files and the exit code.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import pc from 'picocolors';
import type { CampaignSummary, Report } from '@barrage/contracts';
import { createDisplay, type Display } from './display.js';
import { EXIT_ERROR, exitCodeOf, type ExitCode } from './exit-code.js';
import { CliError, type HeadClient } from './head-client.js';
import { junitXml } from './junit.js';
import { followLive } from './live.js';
import type { LiveComplete } from './live-event.js';
import { plannedDurationMs } from './progress.js';
import { summaryLines } from './summary.js';

export interface OutputOptions {
  out?: string;
  junit?: string;
  html?: string;
  quiet: boolean;
}

const REPORT_WAIT_MS = 30_000;

async function writeOutput(path: string, text: string): Promise<void> {
  const full = resolve(path);
  await mkdir(dirname(full), { recursive: true });
  await writeFile(full, text);
}

/**
 * The report once the head has it: a 409 means the campaign has not quite ended for it yet.
 * Not parsed with the strict `reportSchema`: a head newer than this CLI may add fields, and
 * --out writes its answer as it came.
 */
async function fetchReport(client: HeadClient, key: string): Promise<Report> {
  const until = Date.now() + REPORT_WAIT_MS;
  for (;;) {
    const res = await client.fetch(`/campaigns/${encodeURIComponent(key)}/report`);
    if (res.ok) return (await res.json()) as Report;
    if (res.status !== 409 || Date.now() > until) throw new CliError(`GET /campaigns/${key}/report answered ${res.status}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export function openDisplay(campaign: CampaignSummary, opts: OutputOptions): Display {
  return createDisplay({ stream: process.stdout, quiet: opts.quiet, plannedMs: plannedDurationMs(campaign) });
}

/** Follows the stream until `complete` (or `signal`), feeding `display`. */
export async function followCampaign(client: HeadClient, key: string, display: Display, signal: AbortSignal): Promise<LiveComplete | null> {
  try {
    return await followLive(client, key, { status: (s) => display.status(s.status), metrics: (m) => display.metrics(m), threshold: (t) => display.threshold(t) }, signal);
  } finally {
    display.stop();
  }
}

/** Prints the summary, writes the requested files, and returns the exit code of the end. */
export async function finish(client: HeadClient, end: LiveComplete, opts: OutputOptions): Promise<ExitCode> {
  const report = await fetchReport(client, end.campaignKey);
  for (const line of summaryLines(report, pc)) console.log(line);
  const written: string[] = [];
  if (opts.out) {
    await writeOutput(opts.out, `${JSON.stringify(report, null, 2)}\n`);
    written.push(opts.out);
  }
  if (opts.junit) {
    const m = report.metadata;
    await writeOutput(
      opts.junit,
      junitXml({ campaignKey: m.key, campaignName: m.name, status: m.status, result: m.result, failureReason: m.failureReason, durationSeconds: report.summary.durationSeconds, timestamp: m.startedAt, thresholds: report.thresholds }),
    );
    written.push(opts.junit);
  }
  if (opts.html) {
    await writeOutput(opts.html, await client.text(`/campaigns/${encodeURIComponent(end.campaignKey)}/report.html`));
    written.push(opts.html);
  }
  console.log(pc.dim(`\n  report      ${client.base}/campaigns/${end.campaignKey}/report.html`));
  if (written.length) console.log(pc.dim(`  written     ${written.join(', ')}`));
  return exitCodeOf({ status: report.metadata.status, result: report.metadata.result });
}

/** Every command of this folder ends here: a CliError is a message and exit code 2, anything else a bug. */
export async function asExitCode(work: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof CliError) console.error(`barrage: ${e.message}`);
    else console.error('barrage:', e);
    return EXIT_ERROR;
  }
}
