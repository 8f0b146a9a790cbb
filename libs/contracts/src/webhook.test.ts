import { createHmac } from 'node:crypto';
import { createWebhookSchema, verifyWebhookSignature, webhookSignature } from './webhook';

describe('webhookSignature', () => {
  const body = '{"id":"d1","event":"campaign.completed"}';

  it('is the hex HMAC-SHA256 of "<timestamp>.<body>" with the secret, prefixed sha256=', () => {
    const expected = createHmac('sha256', 'k'.repeat(32)).update(`1733000000.${body}`).digest('hex');
    expect(webhookSignature('k'.repeat(32), 1733000000, body)).toBe(`sha256=${expected}`);
    // A known vector, so a change of scheme cannot pass unnoticed.
    expect(webhookSignature('secret', 1, '{}')).toBe(`sha256=${createHmac('sha256', 'secret').update('1.{}').digest('hex')}`);
  });

  it('changes with the secret, the timestamp and any byte of the body', () => {
    const base = webhookSignature('secret-a', 100, body);
    expect(webhookSignature('secret-b', 100, body)).not.toBe(base);
    expect(webhookSignature('secret-a', 101, body)).not.toBe(base);
    expect(webhookSignature('secret-a', 100, body.replace('d1', 'd2'))).not.toBe(base);
  });

  it('verifies a fresh signature and refuses a stale timestamp, a forged body or a wrong secret', () => {
    const sig = webhookSignature('secret', 1000, body);
    expect(verifyWebhookSignature('secret', sig, 1000, body, 1100)).toBe(true);
    expect(verifyWebhookSignature('secret', sig, 1000, body, 1000 + 301)).toBe(false);
    expect(verifyWebhookSignature('secret', sig, 1000, `${body} `, 1000)).toBe(false);
    expect(verifyWebhookSignature('other', sig, 1000, body, 1000)).toBe(false);
    expect(verifyWebhookSignature('secret', 'sha256=00', 1000, body, 1000)).toBe(false);
  });
});

describe('createWebhookSchema', () => {
  const paths = (input: unknown) => {
    const r = createWebhookSchema.safeParse(input);
    return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
  };

  it('accepts an http(s) URL and a subset of the events', () => {
    expect(paths({ url: 'https://example.com/hook', events: ['campaign.completed', 'threshold.breached'] })).toEqual([]);
    expect(paths({ url: 'http://127.0.0.1:9000/x', events: ['campaign.failed'], description: 'ci', secret: 's'.repeat(16) })).toEqual([]);
  });

  it('names the field of each problem', () => {
    expect(paths({ url: 'ftp://example.com', events: ['campaign.completed'] })).toEqual(['url']);
    expect(paths({ url: 'not a url', events: ['campaign.completed'] })).toEqual(['url']);
    expect(paths({ url: 'https://example.com', events: [] })).toEqual(['events']);
    expect(paths({ url: 'https://example.com', events: ['campaign.exploded'] })).toEqual(['events.0']);
    expect(paths({ url: 'https://example.com', events: ['campaign.failed', 'campaign.failed'] })).toEqual(['events']);
    expect(paths({ url: 'https://example.com', events: ['campaign.failed'], secret: 'short' })).toEqual(['secret']);
    expect(paths({ events: ['campaign.failed'], extra: 1 })).toEqual(expect.arrayContaining(['url', '']));
  });
});
