import { performance } from 'node:perf_hooks';
import { Client } from 'undici';

export interface ConnectionLimits {
  /** Most sockets to one origin; beyond it, requests queue on the open ones. */
  maxConnections: number;
  /**
   * Least time between two new sockets once the burst is spent (ms). Opening one blocks the
   * event loop ~0.2–0.3 ms and costs ~0.8 ms in all (bench/README.md): opened in bulk at
   * 20,000 arrivals/s they made every arrival late, so more found no free socket, and a
   * run opened 1000 of them where ~40 carry the load. Paced, the pool grows to what the
   * load needs while the first requests queue briefly on the sockets already open.
   */
  paceMs: number;
  /** Sockets that may open at once before the pace applies. */
  burst: number;
  /**
   * Requests each open socket carries (one sent, the rest queued) before another opens:
   * 1 gives every request its own socket when it can (minions of the closed model); more
   * keeps the open model from answering a brief stall with hundreds of new sockets.
   */
  queueDepth: number;
}

/**
 * Connections to one origin: undici Clients, one socket each. Measured on this machine, a
 * Client per connection beats one Pool by ~14% (NOTES.md). An iteration takes a connection
 * for one request and gives it back; an idle one is reused first, a new one opened within
 * the limits, else the request queues on an open one in turn.
 */
export class OriginConnections {
  private readonly clients: Client[] = [];
  /** Requests assigned to each client, by index. */
  private readonly load: number[] = [];
  /** Indices of clients with no request. */
  private readonly idle: number[] = [];
  private turn = 0;
  private inFlight = 0;
  private tokens: number;
  private refilledAt = performance.now();

  constructor(
    private readonly origin: string,
    private readonly limits: ConnectionLimits,
  ) {
    this.tokens = limits.burst;
  }

  /** A connection index for one request; pair with release(). */
  acquire(): number {
    const idle = this.idle.pop();
    if (idle !== undefined) {
      this.load[idle]!++;
      this.inFlight++;
      return idle;
    }
    const n = this.clients.length;
    this.inFlight++;
    const crowded = this.inFlight > n * this.limits.queueDepth;
    if (crowded && n < this.limits.maxConnections && this.mayOpen()) {
      this.clients.push(new Client(this.origin, { pipelining: 1, keepAliveTimeout: 30_000, connect: { timeout: 10_000 } }));
      this.load.push(1);
      return n;
    }
    const i = this.turn++ % n;
    this.load[i]!++;
    return i;
  }

  /** A token bucket: `burst` sockets at once, then one per `paceMs`. */
  private mayOpen(): boolean {
    if (this.limits.paceMs <= 0) return true;
    const now = performance.now();
    this.tokens = Math.min(this.limits.burst, this.tokens + (now - this.refilledAt) / this.limits.paceMs);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  client(i: number): Client {
    return this.clients[i]!;
  }

  release(i: number): void {
    this.inFlight--;
    if (--this.load[i]! === 0) this.idle.push(i);
  }

  get size(): number {
    return this.clients.length;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.clients.map((c) => c.destroy()));
    this.clients.length = 0;
    this.load.length = 0;
    this.idle.length = 0;
  }
}

/** One OriginConnections per origin a chunk talks to, all with the chunk's limits. */
export class Connections {
  private readonly byOrigin = new Map<string, OriginConnections>();

  constructor(private readonly limits: ConnectionLimits = { maxConnections: Number.POSITIVE_INFINITY, paceMs: 0, burst: 0, queueDepth: 1 }) {}

  for(origin: string): OriginConnections {
    let o = this.byOrigin.get(origin);
    if (!o) {
      o = new OriginConnections(origin, this.limits);
      this.byOrigin.set(origin, o);
    }
    return o;
  }

  /** Sockets open, over every origin. */
  get size(): number {
    let n = 0;
    for (const o of this.byOrigin.values()) n += o.size;
    return n;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.byOrigin.values()].map((o) => o.close()));
  }
}
