import { requestContext, requestIdFor, requestIdMixin } from './request-context';

describe('request ids', () => {
  it('keeps a sane incoming id and replaces anything else with a UUID', () => {
    expect(requestIdFor('trace-1234:abc')).toBe('trace-1234:abc');
    expect(requestIdFor(['first', 'second'])).toBe('first');
    for (const bad of [undefined, '', 'has space', 'x'.repeat(129), 'new\nline', '<script>']) {
      expect(requestIdFor(bad)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('tags log lines only while a request is served, across awaits', async () => {
    expect(requestIdMixin()).toEqual({});
    await requestContext.run('req-1', async () => {
      await new Promise((r) => setImmediate(r));
      expect(requestIdMixin()).toEqual({ requestId: 'req-1' });
    });
  });
});
