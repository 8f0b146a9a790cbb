// The floor a Node load generator can reach on one core: a raw undici `dispatch` loop over N
// separate Clients (one keep-alive socket each), one HDR `recordValue` per response (µs, the
// factory's histogram geometry: 1 µs – 60 s, 3 digits) and a status counter, nothing else.
// The peer of the real factory in bench/real-factory.mjs (issue 15: "within 5 % of the raw
// undici loop printed beside it").
//
//   node bench/raw-undici.mjs <url> [--connections=50] [--duration=10]
//
// Prints one JSON line: { requests, durationS, rps, non2xx, errors, p50Us, p99Us }. Requests
// count the responses completed within the window; the ones still in flight at its end are
// awaited but not counted.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST_ROOT, importFactoryDep } from './lib.mjs';

const url = process.argv[2];
const argv = Object.fromEntries(process.argv.slice(3).map((a) => { const [k, v] = a.replace(/^--/, '').split('='); return [k, v ?? 'true']; }));
const CONNECTIONS = Number(argv.connections ?? 50);
const DURATION_MS = Number(argv.duration ?? 10) * 1000;

const { Client, buildConnector } = await importFactoryDep('undici');
const hdrPath = createRequire(join(DIST_ROOT, 'libs/metrics/package.json')).resolve('hdr-histogram-js');
const hdr = await import(pathToFileURL(hdrPath).href);
const histogram = (hdr.build ?? hdr.default.build)({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });

const u = new URL(url);
const origin = u.origin;
// --like=timeouts,connector,headers: one by one, what the factory's requests do that this loop
// does not (per-request headersTimeout/bodyTimeout, a wrapping connector, an empty header
// list), to find which of them costs (bench/real-factory.mjs --together=raw,raw@alt).
const like = new Set(String(argv.like ?? '').split(',').filter(Boolean));
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

const clients = Array.from({ length: CONNECTIONS }, () => new Client(origin, { pipelining: 1, keepAliveTimeout: 30_000, ...(connect ? { connect } : {}) }));
const t0 = performance.now();
inFlight = CONNECTIONS;
for (const c of clients) new Loop(c).send();
await new Promise((r) => setTimeout(r, DURATION_MS));
counting = false;
const elapsed = performance.now() - t0;
running = false;
await new Promise((r) => (drained = r));
await Promise.allSettled(clients.map((c) => c.close()));
const durationS = elapsed / 1000;
process.stdout.write(
  `${JSON.stringify({ requests, durationS, rps: requests / durationS, non2xx, errors, p50Us: histogram.getValueAtPercentile(50), p99Us: histogram.getValueAtPercentile(99) })}\n`,
);
