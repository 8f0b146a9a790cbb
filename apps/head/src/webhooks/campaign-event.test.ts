import { CAMPAIGN_STATUSES, TERMINAL_STATUSES } from '@barrage/contracts';
import { campaignEventOf } from './campaign-event';

describe('campaignEventOf', () => {
  it('maps each terminal state to its event', () => {
    expect(campaignEventOf('completed', 'passed')).toBe('campaign.completed');
    expect(campaignEventOf('completed', 'failed')).toBe('campaign.failed');
    expect(campaignEventOf('completed', 'error')).toBe('campaign.failed');
    expect(campaignEventOf('failed', 'error')).toBe('campaign.failed');
    expect(campaignEventOf('aborted', 'failed')).toBe('campaign.aborted');
    expect(campaignEventOf('aborted', 'error')).toBe('campaign.aborted');
  });

  it('has an event for every terminal status and none for the others', () => {
    for (const s of CAMPAIGN_STATUSES) expect(campaignEventOf(s, 'passed') !== null).toBe(TERMINAL_STATUSES.includes(s));
  });
});
