/**
 * `barrage watch KEY`: the live display of a campaign started elsewhere, then its summary
 * and the exit code of `barrage run`. A signal stops watching (the campaign runs on): exit 2.
 */
import pc from 'picocolors';
import type { CampaignSummary } from '@barrage/contracts';
import { EXIT_ERROR, type ExitCode } from './exit-code.js';
import { asExitCode, finish, followCampaign, openDisplay, type OutputOptions } from './follow.js';
import { HeadClient, type HeadOptions } from './head-client.js';

export function watchCommand(key: string, opts: HeadOptions & OutputOptions): Promise<ExitCode> {
  return asExitCode(async () => {
    const client = new HeadClient(opts);
    const campaign = await client.json<CampaignSummary>('GET', `/campaigns/${encodeURIComponent(key)}`);
    console.log(`campaign ${pc.bold(campaign.key)} "${campaign.name}" ${campaign.status}  ${pc.dim(`${client.base}/campaigns/${campaign.key}`)}`);
    const display = openDisplay(campaign, opts);
    const stop = new AbortController();
    const onSignal = () => {
      display.note(`stopped watching; campaign ${campaign.key} goes on`);
      stop.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const end = await followCampaign(client, campaign.key, display, stop.signal);
      return end ? await finish(client, end, opts) : EXIT_ERROR;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  });
}
