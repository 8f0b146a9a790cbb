/**
 * `barrage run FILE`: stores the file's scenarios, starts its campaign, shows it live, and
 * ends with the verdict as the exit code (docs/cli.md). SIGINT/SIGTERM abort the campaign
 * this command started before exiting 2; a second signal leaves at once.
 */
import { randomUUID } from 'node:crypto';
import pc from 'picocolors';
import type { CampaignSummary } from '@barrage/contracts';
import { EXIT_ERROR, type ExitCode } from './exit-code.js';
import { asExitCode, finish, followCampaign, openDisplay, type OutputOptions } from './follow.js';
import { HeadClient, type HeadOptions } from './head-client.js';
import { loadTestFile } from './test-file.js';

export type RunOptions = HeadOptions & OutputOptions;

/** How long an aborted campaign may take to reach its end (soft abort: minions finish their iteration). */
const ABORT_WAIT_MS = 60_000;

export function runCommand(file: string, opts: RunOptions): Promise<ExitCode> {
  return asExitCode(async () => {
    const test = await loadTestFile(file);
    const client = new HeadClient(opts);
    for (const scenario of test.scenarios ?? []) {
      const stored = await client.json<{ name: string; version: number }>('POST', '/scenarios', scenario);
      if (!opts.quiet) console.log(pc.dim(`scenario ${stored.name} stored (version ${stored.version})`));
    }
    // A retried POST with the same key cannot start the campaign twice.
    const campaign = await client.json<CampaignSummary>('POST', '/campaigns', test.campaign, { 'idempotency-key': randomUUID() });
    console.log(`campaign ${pc.bold(campaign.key)} "${campaign.name}" created  ${pc.dim(`${client.base}/campaigns/${campaign.key}`)}`);
    return followUntilEnd(client, campaign, opts);
  });
}

async function followUntilEnd(client: HeadClient, campaign: CampaignSummary, opts: RunOptions): Promise<ExitCode> {
  const display = openDisplay(campaign, opts);
  const stop = new AbortController();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(EXIT_ERROR);
    interrupted = true;
    display.note(pc.yellow(`${signal}: aborting campaign ${campaign.key} (again to leave without waiting)`));
    client.json('POST', `/campaigns/${campaign.key}/abort`, { hard: false }).catch((e: Error) => display.note(`abort: ${e.message}`));
    setTimeout(() => stop.abort(), ABORT_WAIT_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const end = await followCampaign(client, campaign.key, display, stop.signal);
    if (!end) {
      console.error(`barrage: campaign ${campaign.key} did not end within ${ABORT_WAIT_MS / 1000} s of the abort`);
      return EXIT_ERROR;
    }
    const code = await finish(client, end, opts);
    return interrupted ? EXIT_ERROR : code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
