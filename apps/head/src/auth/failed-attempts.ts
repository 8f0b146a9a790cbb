/**
 * Failed authentications per client in a sliding minute (docs/security.md#api-keys): past the
 * limit the client gets 429 with Retry-After until its oldest failure leaves the window.
 * Per head process: several heads each allow the limit (a load balancer spreads a client).
 */
export class FailedAttempts {
  private readonly byClient = new Map<string, number[]>();

  constructor(
    private readonly limitPerMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `client` may try again, or 0 when it may now. */
  blockedFor(client: string): number {
    const times = this.recent(client);
    if (times.length < this.limitPerMinute) return 0;
    return Math.max(1, Math.ceil((times[0]! + 60_000 - this.now()) / 1000));
  }

  record(client: string): void {
    const times = this.recent(client);
    times.push(this.now());
    this.byClient.set(client, times);
    // A flood of distinct clients must not grow the map without bound.
    if (this.byClient.size > 10_000) this.prune();
  }

  private recent(client: string): number[] {
    const since = this.now() - 60_000;
    return (this.byClient.get(client) ?? []).filter((t) => t > since);
  }

  private prune(): void {
    for (const client of [...this.byClient.keys()]) {
      if (this.recent(client).length === 0) this.byClient.delete(client);
    }
  }
}
