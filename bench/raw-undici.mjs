// The floor a Node load generator can reach on one core: a raw undici `dispatch` loop over N
// separate Clients (one keep-alive socket each), one HDR `recordValue` per response (µs, the
// factory's histogram geometry: 1 µs – 60 s, 3 digits) and a status counter, nothing else.
// The peer of the real factory in bench/real-factory.mjs (issue 15: "within 5 % of the raw
// undici loop printed beside it").
//
//   node bench/raw-undici.mjs <url> [--connections=50] [--duration=10] [--like=...] [--start-at=<epoch ms>]
//
// Prints one JSON line: { requests, durationS, rps, non2xx, errors, p50Us, p99Us }. Requests
// count the responses completed within the window; the ones still in flight at its end are
// awaited but not counted.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST_ROOT, importFactoryDep, parseArgs, stackRedisUrl } from './lib.mjs';

const url = process.argv[2];
const argv = parseArgs(process.argv.slice(3));
const CONNECTIONS = Number(argv.connections ?? 50);
const DURATION_MS = Number(argv.duration ?? 10) * 1000;

const { Client, buildConnector } = await importFactoryDep('undici');
const hdrPath = createRequire(join(DIST_ROOT, 'libs/metrics/package.json')).resolve('hdr-histogram-js');
const hdr = await import(pathToFileURL(hdrPath).href);
const histogram = (hdr.build ?? hdr.default.build)({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });

const u = new URL(url);
const origin = u.origin;
// --like=a,b,...: what the factory does that this loop does not, one piece at a time, to find
// which of them costs (bench/real-factory.mjs --together=raw,raw@<like>):
//   timeouts, connector, headers  the factory's request options (per-request headersTimeout and
//                                 bodyTimeout, a wrapping connector, an empty header list);
//   modules                       BullMQ and ioredis imported, nothing else done with them;
//   ioredis, redis, ioredisidle   an ioredis client sending a command every 100 ms (as the
//                                 clock, heartbeat and publisher do); redis adds a BullMQ worker
//                                 that takes one job first; ioredisidle sends one command only;
//                                 ioredisnotimeout the same with connectTimeout 0 (no socket.setTimeout);
//   load:<pkg>, require:<pkg>     one package imported (or required): a factory dependency or BullMQ's;
//   heap                          ~16 MB of plain objects kept alive (what the two modules add);
//   others                        pino and prom-client's default collectors;
//   warmserver                    20,000 requests to a node:http server in this process first (the factory's warm-ups);
//   netflowing, netpaused         a bare net.Socket to Redis that PINGs once, read flowing ('data') or paused ('readable');
//   thread                        the loop on a worker thread of this process, the other likes on the main thread
//                                 (thread+ioredis: a Redis client beside the minions' isolate rather than in it).
const like = new Set(String(argv.like ?? '').split(',').filter(Boolean));
// modules: an alias of the two packages loaded one after the other
if (like.delete('modules')) like.add('load:bullmq').add('load:ioredis');
/** What a --like keeps alive through the run (sockets, objects), let go at its end. */
const keptSockets = [];
const opts = {
  origin,
  path: u.pathname + u.search,
  method: 'GET',
  headers: like.has('headers') ? [] : null,
  ...(like.has('timeouts') ? { body: null, headersTimeout: 30_000, bodyTimeout: 30_000 } : {}),
};
const connect = like.has('connector') ? wrappingConnector(buildConnector({})) : undefined;

/** A connector that calls undici's through a callback of its own, as the factory's timed one does. */
function wrappingConnector(base) {
  return (o, cb) => base(o, (err, sock) => cb(err, sock));
}

let requests = 0;
let non2xx = 0;
let errors = 0;
let counting = true;
let running = true;
let inFlight = 0;
let drained = null;

/** One connection's loop: a reusable handler per Client, re-dispatched from onComplete. */
class Loop {
  constructor(client) {
    this.client = client;
    this.sentAt = 0;
    this.status = 0;
  }
  send() {
    if (!running) {
      if (--inFlight === 0) drained?.();
      return;
    }
    this.sentAt = performance.now();
    this.client.dispatch(opts, this);
  }
  onConnect() {}
  onHeaders(status) {
    this.status = status;
    return true;
  }
  onData() {
    return true;
  }
  onComplete() {
    if (counting) {
      const us = Math.round((performance.now() - this.sentAt) * 1000);
      histogram.recordValue(us < 1 ? 1 : us);
      requests++;
      if (this.status < 200 || this.status > 299) non2xx++;
    }
    this.send();
  }
  onError() {
    if (counting) errors++;
    this.send();
  }
}

// The Redis client variants: the first one named, if any.
const redisMode = ['redis', 'ioredis', 'ioredisidle', 'ioredisnotimeout'].find((m) => like.has(m));
const redisLike = redisMode ? await startRedisLike(redisMode) : null;
// load:<package>: only that package loaded (a dependency of the factory's, or of BullMQ's)
for (const l of like) if (l.startsWith('load:')) await loadPackage(l.slice(5));
// require:<package>: the same through require() instead of import()
for (const l of like) if (l.startsWith('require:')) createRequire(join(DIST_ROOT, 'apps/factory/package.json'))(l.slice(8));
async function loadPackage(name) {
  try {
    return await importFactoryDep(name);
  } catch {
    const bullmq = createRequire(join(DIST_ROOT, 'apps/factory/package.json')).resolve('bullmq');
    return import(pathToFileURL(createRequire(bullmq).resolve(name)).href);
  }
}
// warmserver: before the load, 20,000 requests through undici to a node:http server in this
// process (what the factory's warm-ups do), then the server is closed
if (like.has('warmserver')) await warmThroughServer(20_000);
async function warmThroughServer(n) {
  const { createServer } = await import('node:http');
  const server = createServer((req, res) => {
    req.resume();
    res.end('ok');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const local = `http://127.0.0.1:${server.address().port}`;
  const wc = Array.from({ length: 32 }, () => new Client(local, { pipelining: 1, keepAliveTimeout: 10_000 }));
  let left = n;
  await Promise.all(wc.map((c) => new Promise((resolve) => {
    const h = { onConnect() {}, onHeaders() { return true; }, onData() { return true; }, onComplete() { next(); }, onError() { next(); } };
    const next = () => (left-- > 0 ? c.dispatch({ origin: local, path: '/warm-up', method: 'GET' }, h) : resolve());
    next();
  })));
  await Promise.allSettled(wc.map((c) => c.close()));
  await new Promise((r) => server.close(r));
}
// netflowing / netpaused: a plain net.Socket to Redis (no client library) that sends PING and
// reads +PONG once, through a 'data' listener (flowing, as ioredis reads) or 'readable' (as undici)
if (like.has('netflowing') || like.has('netpaused')) await pingRedisOverNet(like.has('netflowing'));
async function pingRedisOverNet(flowing) {
  const { connect } = await import('node:net');
  const u = new URL(stackRedisUrl());
  const socket = connect(Number(u.port), u.hostname);
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', () => socket.write('PING\r\n'));
    if (flowing) socket.once('data', resolve);
    else socket.once('readable', () => resolve(socket.read()));
  });
  keptSockets.push(socket); // stays connected and idle, as a client library's socket would
}
// heap: as many bytes kept alive as loading BullMQ and ioredis adds (~16 MB), in plain objects
const kept = like.has('heap') ? Array.from({ length: 200_000 }, (_, i) => ({ i, s: `v${i}`, a: [i, i + 1] })) : null;
// others: the factory's other modules (pino, prom-client), loaded and used a little
if (like.has('others')) {
  const { default: pino } = await importFactoryDep('pino');
  const { Registry, collectDefaultMetrics } = await importFactoryDep('prom-client');
  collectDefaultMetrics({ register: new Registry() });
  pino({ level: 'warn' }).info('loaded');
}

/**
 * Redis in this isolate as a factory has it. `mode`: ioredis (a client sending a command every
 * 100 ms), redis (that and a BullMQ worker that takes a job first), ioredisidle (one command,
 * then idle), ioredisnotimeout (the same with connectTimeout 0).
 */
async function startRedisLike(mode) {
  const bullmq = mode === 'redis';
  const idle = mode === 'ioredisidle' || mode === 'ioredisnotimeout';
  const noConnectTimeout = mode === 'ioredisnotimeout';
  const { Queue, Worker } = await importFactoryDep('bullmq');
  const { Redis } = await importFactoryDep('ioredis');
  const url = stackRedisUrl();
  if (!url) throw new Error('--like=redis needs the stack (REDIS_URL or .barrage/stack.env)');
  const connection = { url, maxRetriesPerRequest: null };
  const name = `bench-raw-like-${process.pid}`;
  let queue = null;
  let worker = null;
  if (bullmq) {
    queue = new Queue(name, { connection });
    let taken;
    const took = new Promise((r) => (taken = r));
    worker = new Worker(name, async () => taken(), { connection });
    await queue.add('job', { n: 1 });
    await took;
  }
  const redis = new Redis(url, { maxRetriesPerRequest: null, ...(noConnectTimeout ? { connectTimeout: 0 } : {}) });
  let i = 0;
  await redis.time();
  const timer = idle ? null : setInterval(() => {
    i++;
    void redis.time();
    if (i % 10 === 0) void redis.set(`${name}:beat`, String(Date.now()), 'PX', 10_000).then(() => redis.publish(`${name}:snap`, 'x'.repeat(2000)));
  }, 100);
  return async () => {
    clearInterval(timer);
    await worker?.close();
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await redis.quit();
  };
}

// thread: this file again on a worker thread, with no --like, which prints the line; this thread
// keeps the other likes going until it is done
if (like.has('thread')) {
  const { Worker } = await import('node:worker_threads');
  const loop = new Worker(new URL(import.meta.url), { argv: process.argv.slice(2).filter((a) => !a.startsWith('--like=')) });
  loop.on('message', (line) => process.stdout.write(line));
  await new Promise((resolve, reject) => loop.once('exit', resolve).once('error', reject));
  await redisLike?.();
  for (const s of keptSockets) s.destroy();
  process.exit(0);
}

const clients = Array.from({ length: CONNECTIONS }, () => new Client(origin, { pipelining: 1, keepAliveTimeout: 30_000, ...(connect ? { connect } : {}) }));
// --start-at=<epoch ms>: hold the load until then (generators started together, bench/real-factory.mjs --together)
if (argv['start-at']) await new Promise((r) => setTimeout(r, Math.max(0, Number(argv['start-at']) - Date.now())));
const t0 = performance.now();
inFlight = CONNECTIONS;
for (const c of clients) new Loop(c).send();
await new Promise((r) => setTimeout(r, DURATION_MS));
counting = false;
const elapsed = performance.now() - t0;
running = false;
await new Promise((r) => (drained = r));
await Promise.allSettled(clients.map((c) => c.close()));
await redisLike?.();
if (kept) kept.length = 0;
for (const s of keptSockets) s.destroy();
const durationS = elapsed / 1000;
const line = `${JSON.stringify({ requests, durationS, rps: requests / durationS, non2xx, errors, p50Us: histogram.getValueAtPercentile(50), p99Us: histogram.getValueAtPercentile(99) })}\n`;
// On a thread (--like=thread), the main thread prints it
const { parentPort } = await import('node:worker_threads');
if (parentPort) parentPort.postMessage(line);
else process.stdout.write(line);
