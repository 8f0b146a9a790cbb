import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { performance } from 'node:perf_hooks';
import { Client } from 'undici';
import { Connections, OriginConnections, timedConnector } from './connections';

// Clients connect lazily, on their first request: these tests open no socket.
describe('OriginConnections', () => {
  it('reuses an idle connection before opening another', async () => {
    const c = new OriginConnections('http://127.0.0.1:1', { maxConnections: 10, paceMs: 0, burst: 0, queueDepth: 1 });
    const a = c.acquire();
    c.release(a);
    expect(c.acquire()).toBe(a);
    expect(c.acquire()).not.toBe(a);
    expect(c.size).toBe(2);
    await c.close();
  });

  it('queues on open connections in turn once at the limit', async () => {
    const c = new OriginConnections('http://127.0.0.1:1', { maxConnections: 2, paceMs: 0, burst: 0, queueDepth: 1 });
    const got = [c.acquire(), c.acquire(), c.acquire(), c.acquire(), c.acquire()];
    expect(got).toEqual([0, 1, 0, 1, 0]);
    expect(c.size).toBe(2);
    // connection 1 carries two requests: idle only after both are released
    c.release(1);
    expect(c.acquire()).toBe(1);
    await c.close();
  });

  it('paces new connections: after the burst, a busy one takes the request', async () => {
    const c = new OriginConnections('http://127.0.0.1:1', { maxConnections: 100, paceMs: 60_000, burst: 2, queueDepth: 1 });
    expect([c.acquire(), c.acquire(), c.acquire(), c.acquire()]).toEqual([0, 1, 0, 1]);
    expect(c.size).toBe(2);
    await c.close();
  });

  it('becomes idle again only when every request on it is released', async () => {
    const c = new OriginConnections('http://127.0.0.1:1', { maxConnections: 1, paceMs: 0, burst: 0, queueDepth: 1 });
    c.acquire();
    c.acquire();
    c.release(0);
    expect(c.acquire()).toBe(0); // still busy: queued, not idle
    c.release(0);
    c.release(0);
    expect(c.acquire()).toBe(0);
    expect(c.size).toBe(1);
    await c.close();
  });

  it('with a queue depth, opens another socket only once each open one is that busy', async () => {
    const c = new OriginConnections('http://127.0.0.1:1', { maxConnections: 100, paceMs: 0, burst: 0, queueDepth: 2 });
    expect([c.acquire(), c.acquire(), c.acquire(), c.acquire(), c.acquire()]).toEqual([0, 0, 1, 1, 2]);
    await c.close();
  });
});

/** A server that counts the requests it is sent, by path. */
async function countingServer(): Promise<{ origin: string; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const server = createHttpServer((req, res) => {
    seen.push(req.url ?? '');
    res.end('ok');
  });
  return { origin: `http://127.0.0.1:${await listen(server)}`, seen, close: () => close(server) };
}

async function get(c: OriginConnections, path: string): Promise<number> {
  const i = c.acquire();
  try {
    const res = await c.client(i).request({ path, method: 'GET' });
    await res.body.text();
    return res.statusCode;
  } finally {
    c.release(i);
  }
}

// A chunk's warm-up (ChunkRunner.warmUp) runs the chunk's own pools against a server in the
// process: nothing may reach the target meanwhile, and everything must afterwards.
describe('Connections.redirect', () => {
  it('sends every origin\'s requests to the warm-up server until endRedirect, then to the origin itself', async () => {
    const target = await countingServer();
    const warm = await countingServer();
    const connections = new Connections({ maxConnections: 4, paceMs: 0, burst: 0, queueDepth: 8 });
    try {
      const known = connections.for(target.origin); // made before (a constant step's pool)
      await get(known, '/before');
      await connections.redirect(warm.origin);
      await Promise.all([get(known, '/a'), get(known, '/b'), get(connections.for(`${target.origin}`), '/c')]);
      const other = connections.for('http://other.invalid:81'); // a templated origin, made while redirected
      await get(other, '/d');
      await expect(other.preopen(2)).resolves.toBe(2);
      await get(other, '/e');
      expect(await connections.endRedirect()).toEqual([target.origin, 'http://other.invalid:81']);
      expect(connections.size).toBe(0);
      await get(known, '/after');
      expect(target.seen).toEqual(['/before', '/after']);
      expect(warm.seen.sort()).toEqual(['/a', '/b', '/c', '/d', '/e']);
    } finally {
      await connections.close();
      await target.close();
      await warm.close();
    }
  });
});

// patches/undici@7.30.2.patch: undici kept each connection's completed requests in its queue
// until 256 had run, so 10,000 minions grew the factory's heap for four minutes (bench/README.md,
// "The heap that grew for four minutes"). What a user sees is the memory; what can be counted
// here is that queue, found by its symbol's description (undici does not export it).
describe("a connection's queue of requests", () => {
  const queueOf = (client: Client): unknown[] => {
    const key = Object.getOwnPropertySymbols(client).find((s) => s.description === 'queue');
    if (!key) throw new Error("undici's Client has no 'queue' symbol any more: revisit patches/undici@*.patch");
    return (client as unknown as Record<symbol, unknown[]>)[key]!;
  };

  it('holds only the requests not yet answered, over 600 requests one after another and three at a time', async () => {
    let seen = 0;
    const server = createHttpServer((_req, res) => {
      seen++;
      res.end('ok');
    });
    const port = await listen(server);
    const client = new Client(`http://127.0.0.1:${port}`, { pipelining: 1 });
    let longest = 0;
    const one = async () => {
      const r = await client.request({ path: '/', method: 'GET' });
      await r.body.text();
      longest = Math.max(longest, queueOf(client).length);
    };
    try {
      for (let i = 0; i < 300; i++) await one(); // the closed model: the next once one is answered
      expect(longest).toBeLessThanOrEqual(2);
      longest = 0;
      for (let i = 0; i < 100; i++) await Promise.all([one(), one(), one()]); // queued on one socket
      expect(longest).toBeLessThanOrEqual(6);
      expect(seen).toBe(600);
    } finally {
      await client.close();
      await close(server);
    }
  });
});

// A self-signed certificate for 127.0.0.1/localhost (EC P-256, valid until 2126), for the TLS timing test only.
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjmwdszcCGjzI01P7
LfwkxsrhRRYyMcO+7/Rlhr4FWjehRANCAATwLTJXV5AuhyEVNDGtkTUNa127N4bf
2PqmpRxIVzMAh9nqr82rLAW1VTpea0d3ivXaWnjZwgfq+IP53S5aLg+D
-----END PRIVATE KEY-----
`;
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUPNNxJCpqEv+D5nYtvZiuwT/1mAcwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwNDE1MDczMVoYDzIxMjYxMTEw
MTUwNzMxWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATwLTJXV5AuhyEVNDGtkTUNa127N4bf2PqmpRxIVzMAh9nqr82rLAW1
VTpea0d3ivXaWnjZwgfq+IP53S5aLg+Do28wbTAdBgNVHQ4EFgQUmSRaDra1sFLb
jYNh5/qYsTgueS4wHwYDVR0jBBgwFoAUmSRaDra1sFLbjYNh5/qYsTgueS4wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSQAwRgIhAInWSkVi3hHGO18+xvyIZhjV0fm/jG9UrfxTQQqvbZV1AiEA
nTfwqmamxykqZrSJQ6or9sbIEtws498sb1n3dblDqzI=
-----END CERTIFICATE-----
`;

function listen(server: HttpServer | HttpsServer): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

function close(server: HttpServer | HttpsServer): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('connect timing', () => {
  it('the first request to end on a new socket takes its connect time, once', async () => {
    let sockets = 0;
    const server = createHttpServer((req, res) => {
      // the third request asks the server to close: the fourth needs a new socket
      res.setHeader('connection', req.url === '/close' ? 'close' : 'keep-alive');
      res.end('ok');
    });
    server.on('connection', () => sockets++);
    const port = await listen(server);
    const c = new OriginConnections(`http://127.0.0.1:${port}`, { maxConnections: 1, paceMs: 0, burst: 0, queueDepth: 1 });
    const sink = { recordConnect: jest.fn() };
    try {
      const i = c.acquire();
      c.takeConnectTiming(i, sink); // nothing before the socket exists
      expect(sink.recordConnect).not.toHaveBeenCalled();
      for (const path of ['/a', '/b', '/close', '/d']) {
        const r = await c.client(i).request({ path, method: 'GET' });
        await r.body.text();
        c.takeConnectTiming(i, sink);
      }
      c.release(i);
      expect(sockets).toBe(2);
      // '/a' took the first socket's timing, '/d' the second's; '/b' and '/close' nothing
      expect(sink.recordConnect).toHaveBeenCalledTimes(2);
      for (const [connectUs, tlsUs] of sink.recordConnect.mock.calls as [number, number][]) {
        expect(connectUs).toBeGreaterThan(0);
        expect(connectUs).toBeLessThan(5_000_000);
        expect(tlsUs).toBe(0);
      }
      c.takeConnectTiming(i, sink);
      c.takeConnectTiming(99, sink); // no such connection: nothing
      expect(sink.recordConnect).toHaveBeenCalledTimes(2);
    } finally {
      await c.close();
      await close(server);
    }
  });

  it('times TCP connect and the TLS handshake apart for https', async () => {
    const server = createHttpsServer({ key: TEST_KEY, cert: TEST_CERT }, (_req, res) => res.end('ok'));
    const port = await listen(server);
    const done = jest.fn();
    const client = new Client(`https://127.0.0.1:${port}`, { connect: timedConnector(done, { timeout: 10_000, rejectUnauthorized: false }) });
    try {
      const t0 = performance.now();
      const r = await client.request({ path: '/', method: 'GET' });
      expect(await r.body.text()).toBe('ok');
      const elapsedUs = (performance.now() - t0) * 1000;
      expect(done).toHaveBeenCalledTimes(1);
      const [connectUs, tlsUs] = done.mock.calls[0] as [number, number];
      expect(connectUs).toBeGreaterThan(0);
      expect(tlsUs).toBeGreaterThan(0);
      expect(connectUs + tlsUs).toBeLessThanOrEqual(elapsedUs);
    } finally {
      await client.close();
      await close(server);
    }
  });

  it('reports nothing for a socket that failed to connect', async () => {
    const server = createHttpServer();
    const port = await listen(server);
    await close(server);
    const done = jest.fn();
    const client = new Client(`http://127.0.0.1:${port}`, { connect: timedConnector(done) });
    try {
      await expect(client.request({ path: '/', method: 'GET' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(done).not.toHaveBeenCalled();
    } finally {
      await client.close();
    }
  });
});
