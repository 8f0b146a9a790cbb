// Synchronised start across zones (issue 16, docs/architecture.md#time): a head and two factories in
// two zones on this machine, a target that records each zone's first request, and N rounds of
// a campaign of two one-minion IMMEDIATELY scenarios (one per zone) with startOffsetMs 2000.
// Prints, per round and as median/max, the spread between the zones' first requests as the
// target saw them beside the spread the report shows (max − min of the chunks' start
// lateness, each measured by its factory on its corrected clock), and the machine's load.
//
//   node bench/sync-start.mjs [--rounds=7] [--skew=0]   (--skew: the second factory's CLOCK_SKEW_MS)
//
// Needs the local stack (.barrage/stack.env: DATABASE_URL, REDIS_URL; `barrage stack up`) and
// the built workspace. Only talks to 127.0.0.1; stops what it started.
import { spawn } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT, freePort, median, parseArgs, sleep, track } from './lib.mjs';
import { createKey } from './cluster.mjs';

const argv = parseArgs();

const ROUNDS = Number(argv.rounds ?? 7);
const SKEW = Number(argv.skew ?? 0);
const CLI = join(ROOT, 'apps/cli/dist/main.js');

function stackEnv() {
  const file = join(ROOT, '.barrage/stack.env');
  const env = {};
  if (existsSync(file)) for (const m of readFileSync(file, 'utf8').matchAll(/^(\w+)=(.*)$/gm)) env[m[1]] = m[2].trim();
  const DATABASE_URL = process.env.DATABASE_URL ?? env.DATABASE_URL;
  const REDIS_URL = process.env.REDIS_URL ?? env.REDIS_URL;
  if (!DATABASE_URL || !REDIS_URL) throw new Error('no stack: run `node apps/cli/dist/main.js stack up` first (or set DATABASE_URL and REDIS_URL)');
  return { DATABASE_URL, REDIS_URL };
}

const children = [];
function start(args, env) {
  const child = track(spawn(process.execPath, args, { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }));
  children.push(child);
  return child;
}
async function stopAll() {
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : (c.once('exit', r), c.kill('SIGTERM'))))));
}

/** The head's admin key (API keys are required: docs/security.md); sent to the head only. */
const auth = { base: '', key: '' };
async function request(base, method, path, body) {
  const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...(base === auth.base ? { authorization: `Bearer ${auth.key}` } : {}) };
  const res = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function until(what, probe, timeoutMs = 60_000, everyMs = 200) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await probe().catch(() => null);
    if (v) return v;
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const f2 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(2));

async function main() {
  const stack = stackEnv();
  const tag = Date.now().toString(36);
  const zones = [`sync-a-${tag}`, `sync-b-${tag}`];
  const targetPort = await freePort();
  const target = start([new URL(import.meta.url).pathname, `--target=${targetPort}`], {});
  await new Promise((r) => target.once('message', r));
  const targetUrl = `http://127.0.0.1:${targetPort}`;
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  try {
    start([CLI, 'head'], { ...stack, PORT: String(port) });
    await until('the head', async () => (await request(base, 'GET', '/health')).status < 500);
    Object.assign(auth, { base, key: await createKey(stack) });
    zones.forEach((zone, i) => start([CLI, 'factory', '--zone', zone, '--capacity', '10', '--id', `${zone}-f0`], { REDIS_URL: stack.REDIS_URL, HEARTBEAT_MS: '1000', CLOCK_SKEW_MS: String(i === 1 ? SKEW : 0) }));
    const factories = await until('the factories', async () => {
      const live = (await request(base, 'GET', '/factories')).body.filter((f) => zones.includes(f.zone));
      return live.length === 2 ? live : null;
    });
    for (const f of factories) console.log(`factory ${f.id}: clock offset ${f.clock?.offsetMs} ms, uncertainty ${f.clock?.uncertaintyMs} ms, rtt ${f.clock?.rttMs} ms`);
    for (const [i, zone] of zones.entries()) {
      const r = await request(base, 'POST', '/scenarios', { name: `sync-${i}-${tag}`, steps: [{ name: 'first', method: 'GET', url: `${targetUrl}/first/${i}` }] });
      if (r.status !== 201) throw new Error(`scenario: ${JSON.stringify(r.body)}`);
      void zone;
    }
    const rows = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await request(targetUrl, 'GET', '/__reset');
      const loadBefore = load();
      const created = await request(base, 'POST', '/campaigns', {
        name: `sync start ${round}`,
        startOffsetMs: 2000,
        scenarios: Object.fromEntries(zones.map((zone, i) => [`sync-${i}-${tag}`, { minionsCount: 1, zones: { [zone]: 100 }, executionProfile: { profile: 'IMMEDIATELY' } }])),
      });
      if (created.status !== 201) throw new Error(`campaign: ${JSON.stringify(created.body)}`);
      const key = created.body.key;
      // The target is the instrument: asleep in epoll, its own wake-up on these shared cores
      // (seen 2-10 ms) would count as the zones' spread. Told the instant, it keeps its event
      // loop turning from 30 ms before to 40 ms after it, as test/sync-start-e2e.test.ts's does.
      const fixed = await until('the start instant', async () => {
        const logs = (await request(base, 'GET', `/campaigns/${key}/logs`)).body;
        const m = logs.map((l) => /Start instant fixed at (\S+)/.exec(l.message)).find(Boolean);
        return m ? Date.parse(m[1]) : null;
      }, 30_000, 50);
      await request(targetUrl, 'GET', `/__arm?at=${fixed}`);
      await until(`campaign ${key}`, async () => ['completed', 'failed', 'aborted'].includes((await request(base, 'GET', `/campaigns/${key}`)).body.status), 60_000, 250);
      const report = (await request(base, 'GET', `/campaigns/${key}/report`)).body;
      const first = (await request(targetUrl, 'GET', '/__first')).body;
      const startAt = Date.parse(report.start.startAt);
      const seen = [0, 1].map((i) => first[`/first/${i}`] - startAt);
      const lateness = report.start.zones.flatMap((z) => z.chunks.map((c) => c.startLatenessMs));
      rows.push({ round, targetSpread: Math.abs(seen[0] - seen[1]), reportSpread: report.start.spreadMs, seen, lateness, uncertainty: report.start.maxClockUncertaintyMs, load: `${loadBefore} → ${load()}` });
      const r = rows.at(-1);
      console.log(`round ${round}: target saw +${f2(seen[0])} / +${f2(seen[1])} ms (spread ${f2(r.targetSpread)}), report lateness ${lateness.map(f2).join(' / ')} ms (spread ${f2(r.reportSpread)}), clock uncertainty ≤ ${f2(r.uncertainty)} ms, load ${r.load}`);
    }
    const t = rows.map((r) => r.targetSpread);
    const rep = rows.map((r) => r.reportSpread);
    console.log(`\nfirst-request spread over ${ROUNDS} rounds (ms)   median   max`);
    console.log(`  measured at the target                ${f2(median(t)).padStart(6)}  ${f2(Math.max(...t)).padStart(6)}`);
    console.log(`  shown by the report                   ${f2(median(rep)).padStart(6)}  ${f2(Math.max(...rep)).padStart(6)}`);
    console.log(`  (goal: median ≤ 2, max ≤ 5; load average now ${load()} on ${(await import('node:os')).cpus().length} cores)`);
  } finally {
    await stopAll();
  }
}

// ---------- the target, in its own process: first arrival per path, sub-millisecond ----------
if (argv.target) {
  const first = new Map();
  // A raw TCP server, not node:http: the arrival is stamped on the socket's first bytes, before
  // any HTTP parsing, and the answer is a fixed keep-alive 200.
  const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nkeep-alive: timeout=60\r\n\r\nok';
  const server = createNetServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      const at = performance.timeOrigin + performance.now();
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const path = buffered.slice(0, buffered.indexOf('\r\n')).split(' ')[1] ?? '/';
        buffered = buffered.slice(end + 4); // GETs only: no body
        if (path === '/__first') socket.write(json(Object.fromEntries(first)));
        else if (path === '/__reset') (first.clear(), socket.write(json({})));
        else if (path.startsWith('/__arm?at=')) (arm(Number(path.slice(10))), socket.write(json({})));
        else {
          if (!first.has(path)) first.set(path, at);
          socket.write(OK);
        }
      }
    });
    socket.on('error', () => undefined);
  });
  const json = (v) => { const body = JSON.stringify(v); return `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`; };
  /** Turns the event loop (I/O served every turn) from 30 ms before `at` (a timer may wake late) to 40 ms after it. */
  const arm = (at) => {
    const turn = () => (Date.now() < at + 40 ? setImmediate(turn) : undefined);
    setTimeout(turn, Math.max(0, at - 30 - Date.now()));
  };
  server.listen(Number(argv.target), '127.0.0.1', () => process.send?.('ready'));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
} else {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(`sync-start bench failed: ${e?.stack ?? e}`);
      process.exit(1);
    },
  );
}
