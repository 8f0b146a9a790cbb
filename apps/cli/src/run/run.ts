/**
 * `barrage run FILE`: stores the file's scenarios, starts its campaign, shows it live, and
 * ends with the verdict as the exit code (docs/cli.md). SIGINT/SIGTERM abort the campaign
 * this command started before exiting 2; a second signal leaves at once.
 */
import { randomUUID } from 'node:crypto';
import pc from 'picocolors';
import type { CampaignSummary } from '@barrage/contracts';
import { EXIT_ERROR, type ExitCode } from './exit-code.js';
import type { Display } from './display.js';
import { asExitCode, finish, followCampaign, openDisplay, type OutputOptions } from './follow.js';
import { CliError, HeadClient, type HeadOptions } from './head-client.js';
import { loadTestFile } from './test-file.js';

export type RunOptions = HeadOptions & OutputOptions;

/** How long an aborted campaign may take to reach its end (soft abort: minions finish their iteration). */
const ABORT_WAIT_MS = 60_000;

export function runCommand(file: string, opts: RunOptions): Promise<ExitCode> {
  return asExitCode(async () => {
    const test = await loadTestFile(file);
    const client = new HeadClient(opts);
    const abort = new Aborter(client);
    try {
      for (const scenario of test.scenarios ?? []) {
        const stored = await client.json<{ name: string; version: number }>('POST', '/scenarios', scenario);
        if (!opts.quiet) console.log(pc.dim(`scenario ${stored.name} stored (version ${stored.version})`));
      }
      if (abort.interrupted) throw new CliError('interrupted before the campaign was created');
      // A retried POST with the same key cannot start the campaign twice.
      const campaign = await client.json<CampaignSummary>('POST', '/campaigns', test.campaign, { 'idempotency-key': randomUUID() });
      console.log(`campaign ${pc.bold(campaign.key)} "${campaign.name}" created  ${pc.dim(`${client.base}/campaigns/${campaign.key}`)}`);
      return await followUntilEnd(client, campaign, opts, abort);
    } finally {
      abort.dispose();
    }
  });
}

/**
 * SIGINT/SIGTERM abort the campaign this command started. The handlers are in place before
 * the campaign is created, so a signal that arrives while the head creates it still aborts it.
 */
class Aborter {
  readonly stop = new AbortController();
  private key: string | null = null;
  private signalled: NodeJS.Signals | null = null;
  private display: Display | null = null;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (this.signalled) process.exit(EXIT_ERROR);
    this.signalled = signal;
    if (this.key) this.abort();
  };

  constructor(private readonly client: HeadClient) {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  get interrupted(): boolean {
    return this.signalled !== null;
  }

  /** The campaign exists: a signal from now on (or one already received) aborts it. */
  started(key: string, display: Display): void {
    this.key = key;
    this.display = display;
    if (this.signalled) this.abort();
  }

  private abort(): void {
    const note = (line: string) => (this.display ? this.display.note(line) : console.log(line));
    note(pc.yellow(`${this.signalled}: aborting campaign ${this.key} (again to leave without waiting)`));
    this.client.json('POST', `/campaigns/${this.key}/abort`, { hard: false }).catch((e: Error) => note(`abort: ${e.message}`));
    setTimeout(() => this.stop.abort(), ABORT_WAIT_MS).unref();
  }

  dispose(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

async function followUntilEnd(client: HeadClient, campaign: CampaignSummary, opts: RunOptions, abort: Aborter): Promise<ExitCode> {
  const display = openDisplay(campaign, opts);
  abort.started(campaign.key, display);
  const end = await followCampaign(client, campaign.key, display, abort.stop.signal);
  if (!end) {
    console.error(`barrage: campaign ${campaign.key} did not end within ${ABORT_WAIT_MS / 1000} s of the abort`);
    return EXIT_ERROR;
  }
  const code = await finish(client, end, opts);
  return abort.interrupted ? EXIT_ERROR : code;
}
