import { isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildConnector, Client } from 'undici';

/** Where a request that opened a socket records what it cost (a StepRecorder). */
export interface ConnectTimingSink {
  recordConnect(connectUs: number, tlsUs: number): void;
}

const ignore = () => undefined;

/** Options of every socket's connector (what the Clients were given before). */
const CONNECT_OPTIONS: buildConnector.BuildOptions = { timeout: 10_000 };

/**
 * undici's connector (`buildConnector`, one per Client as a Client builds for itself, so TLS
 * sessions stay per socket slot as before), timed: `done(connectUs, tlsUs)` is called once the
 * socket is ready, with the time from the connect call to TCP connected (name lookup
 * included) and from there to the TLS handshake's end (0 for plain HTTP). undici's
 * DispatchHandler does not expose connect timing; this runs once per socket, never per request.
 */
export function timedConnector(done: (connectUs: number, tlsUs: number) => void, options: buildConnector.BuildOptions = CONNECT_OPTIONS): buildConnector.connector {
  const base = buildConnector(options);
  return (opts, callback) => {
    const t0 = performance.now();
    let tcpAt = 0;
    // buildConnector returns the socket it creates (its type says void); its callback fires on
    // 'connect' (http) or 'secureConnect' (https).
    const socket = base(opts, (err, sock) => {
      if (!err) {
        const readyAt = performance.now();
        if (tcpAt === 0) tcpAt = readyAt; // plain TCP, or a TLS socket whose 'connect' we missed
        done((tcpAt - t0) * 1000, (readyAt - tcpAt) * 1000);
      }
      (callback as (e: Error | null, s: Socket | null) => void)(err, sock);
    }) as unknown as Socket | undefined;
    if (opts.protocol === 'https:' && socket && typeof socket.once === 'function') {
      socket.once('connect', () => {
        tcpAt = performance.now();
      });
    }
    return socket as unknown as void;
  };
}

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
  /**
   * Connect and TLS time (µs) of each client's newest socket, until a request takes them
   * (takeConnectTiming); -1: none waiting.
   */
  private readonly connectUs: number[] = [];
  private readonly tlsUs: number[] = [];
  /** Indices of clients with no request. */
  private readonly idle: number[] = [];
  private turn = 0;
  private inFlight = 0;
  /** Sockets opened ahead that no request has taken yet (closed with the connections). */
  private readonly spares = new Set<Socket>();
  private tokens: number;
  private refilledAt = performance.now();
  /**
   * Where new sockets connect: the origin, or while a chunk warms up the warm-up server in
   * this process (Connections.redirect), so that the pool the run uses is the one trained.
   */
  private connectTo: string;

  constructor(
    private readonly origin: string,
    private readonly limits: ConnectionLimits,
    connectTo: string = origin,
  ) {
    this.tokens = limits.burst;
    this.connectTo = connectTo;
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
      this.clients.push(this.newClient(n));
      this.load.push(1);
      this.connectUs.push(-1);
      this.tlsUs.push(0);
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

  /**
   * A Client whose sockets (the first and any reconnection) leave their timing at index `i`;
   * with `spare`, a socket opened ahead (preopen) that its first connect takes instead.
   */
  private newClient(i: number, spare?: Socket): Client {
    const timed = timedConnector((connectUs, tlsUs) => {
      this.connectUs[i] = connectUs;
      this.tlsUs[i] = tlsUs;
    });
    const connect: buildConnector.connector = (opts, callback) => {
      const s = spare;
      spare = undefined;
      if (s) this.spares.delete(s);
      if (s && !s.destroyed && s.writable) {
        s.removeListener('error', ignore);
        // Never synchronously: undici's Client only writes the request when the socket arrives
        // after its connect() call has returned (a sync callback left it waiting).
        return void queueMicrotask(() => (callback as (e: Error | null, s: Socket) => void)(null, s));
      }
      s?.destroy();
      return timed(opts, callback);
    };
    return new Client(this.connectTo, { pipelining: 1, keepAliveTimeout: 30_000, connect });
  }

  /**
   * Opens up to `n` sockets (within maxConnections, past the pace) before any request, so the
   * first requests of a chunk find them connected at its start instant (docs/architecture.md#time).
   * Resolves with the sockets now open; one that fails to connect is skipped (the request
   * that would have used it connects, and fails, as it would have anyway).
   */
  async preopen(n: number): Promise<number> {
    const want = Math.max(0, Math.min(n, this.limits.maxConnections) - this.clients.length);
    if (want === 0) return this.clients.length;
    const url = new URL(this.connectTo);
    const https = url.protocol === 'https:';
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const opts = { hostname, host: url.host, protocol: url.protocol, port: url.port || (https ? '443' : '80'), servername: https && !isIP(hostname) ? hostname : null, localAddress: null, httpSocket: undefined };
    const connect = (): Promise<{ socket: Socket; connectUs: number; tlsUs: number } | null> =>
      new Promise((resolve) => {
        let timing = { connectUs: 0, tlsUs: 0 };
        const timed = timedConnector((connectUs, tlsUs) => (timing = { connectUs, tlsUs }));
        timed(opts as unknown as buildConnector.Options, ((err: Error | null, socket: Socket | null) => resolve(err || !socket ? null : { socket, ...timing })) as never);
      });
    const opened = await Promise.all(Array.from({ length: want }, connect));
    for (const o of opened) {
      if (!o) continue;
      o.socket.on('error', ignore); // idle until its first request: undici listens from then on
      this.spares.add(o.socket);
      const i = this.clients.length;
      this.connectUs.push(o.connectUs);
      this.tlsUs.push(o.tlsUs);
      this.clients.push(this.newClient(i, o.socket));
      this.load.push(0);
      this.idle.push(i);
    }
    return this.clients.length;
  }

  client(i: number): Client {
    return this.clients[i]!;
  }

  /**
   * When connection `i` opened a socket that no request has accounted for yet, records its
   * connect and TLS times on `sink` (the first request to end on it) and forgets them.
   */
  takeConnectTiming(i: number, sink: ConnectTimingSink): void {
    const us = this.connectUs[i]!;
    if (!(us >= 0)) return; // none waiting (or no such connection)
    this.connectUs[i] = -1;
    sink.recordConnect(us, this.tlsUs[i]!);
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
    for (const s of this.spares) s.destroy();
    this.spares.clear();
    this.clients.length = 0;
    this.load.length = 0;
    this.connectUs.length = 0;
    this.tlsUs.length = 0;
    this.idle.length = 0;
  }

  /**
   * Closes every socket and starts afresh, new sockets connecting to `connectTo` (the
   * origin itself unless a warm-up redirects them). Requests still in flight fail (their
   * release comes before the counts start again).
   */
  async reset(connectTo: string = this.origin): Promise<void> {
    await this.close();
    this.connectTo = connectTo;
    this.turn = 0;
    this.inFlight = 0;
    this.tokens = this.limits.burst;
    this.refilledAt = performance.now();
  }
}

/** One OriginConnections per origin a chunk talks to, all with the chunk's limits. */
export class Connections {
  private readonly byOrigin = new Map<string, OriginConnections>();
  /** While a warm-up redirects every socket (redirect()): where they go, and the origins asked for meanwhile, in order. */
  private redirected: { to: string; asked: Set<string> } | null = null;

  constructor(private readonly limits: ConnectionLimits = { maxConnections: Number.POSITIVE_INFINITY, paceMs: 0, burst: 0, queueDepth: 1 }) {}

  for(origin: string): OriginConnections {
    let o = this.byOrigin.get(origin);
    if (!o) {
      o = new OriginConnections(origin, this.limits, this.redirected?.to);
      this.byOrigin.set(origin, o);
    }
    this.redirected?.asked.add(origin);
    return o;
  }

  /**
   * From now on every origin's sockets connect to `to` (a chunk's warm-up: its requests run
   * through the very pools, limits and sockets' code the run will use, and none reaches the
   * target), until endRedirect(). Sockets already open are closed first.
   */
  async redirect(to: string): Promise<void> {
    this.redirected = { to, asked: new Set() };
    await Promise.all([...this.byOrigin.values()].map((o) => o.reset(to)));
  }

  /**
   * Closes the redirected sockets; new ones connect to their own origins again. Resolves
   * with the origins asked for while redirected (a templated URL's, rendered), in order.
   */
  async endRedirect(): Promise<string[]> {
    const asked = [...(this.redirected?.asked ?? [])];
    this.redirected = null;
    await Promise.all([...this.byOrigin.values()].map((o) => o.reset()));
    return asked;
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
