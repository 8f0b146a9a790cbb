import type { WebhookEvent } from '@barrage/contracts';

/**
 * The event a campaign's terminal state stands for (docs/webhooks.md#events): completed and
 * passed is campaign.completed; completed with a failed or error result, or failed, is
 * campaign.failed; aborted (by a user or an abortOnFail threshold) is campaign.aborted.
 * Null for a status that is not terminal.
 */
export function campaignEventOf(status: string, result: string | null): WebhookEvent | null {
  if (status === 'aborted') return 'campaign.aborted';
  if (status === 'failed') return 'campaign.failed';
  if (status === 'completed') return result === 'passed' ? 'campaign.completed' : 'campaign.failed';
  return null;
}
