// `npm run bench`: every benchmark, one after the other (never two at once: they share the
// machine's cores), each printing its own figures and its peers' from the same run. Not part
// of `npm test`. See bench/README.md for what each measures and its last figures.
//
//   node bench/all.mjs [--quick] [--only=run,real-factory,threads,memory,ingest,sync-start]
//
// --quick: one short round of each (a smoke run, not figures to quote).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH, parseArgs, runChild } from './lib.mjs';

const argv = parseArgs();
const quick = argv.quick === 'true';

/** [name, script, args, args with --quick]. */
const BENCHES = [
  // The engine alone (ChunkRunner in a process, no head) beside wrk and autocannon; the open model at 20k/30k/40k per s.
  ['run', 'run.mjs', ['--no-sync'], ['--no-sync', '--rounds=1', '--duration=3', '--open-duration=5', '--rate=20000']],
  // The closed model through a real head and factory beside autocannon and a raw undici loop.
  ['real-factory', 'real-factory.mjs', [], ['--rounds=1', '--duration=4']],
  // The closed model on a factory with 1 and 2 worker threads per chunk, beside autocannon with 1 and 2 workers.
  ['threads', 'threads.mjs', [], ['--rounds=1', '--duration=4']],
  // 10,000 minions on one factory against a target answering after 1 s: RSS over 5 minutes.
  ['memory', 'memory.mjs', [], ['--duration=40', '--every=5']],
  // Heads merging 200 factories' snapshots (1 then 2 heads): lag, snapshots/s, exactly once.
  ['ingest', 'ingest.mjs', [], ['--duration=3', '--backlog=2', '--heads=1']],
  // Synchronised start across two zones.
  ['sync-start', 'sync-start.mjs', [], ['--rounds=2']],
];

async function main() {
  const only = argv.only ? new Set(String(argv.only).split(',')) : null;
  const failed = [];
  for (const [name, script, args, quickArgs] of BENCHES) {
    if (only && !only.has(name)) continue;
    const file = join(BENCH, script);
    if (!existsSync(file)) throw new Error(`bench/${script} is missing`);
    const a = quick ? quickArgs : args;
    console.log(`\n# ${name}: node bench/${script} ${a.join(' ')}  (${new Date().toISOString()})`);
    const { code } = await runChild(process.execPath, [file, ...a], { onSpawn: (c) => (c.stdout.pipe(process.stdout), c.stderr.pipe(process.stderr)) });
    if (code !== 0) {
      console.log(`# ${name} exited with ${code}`);
      failed.push(name);
    }
  }
  if (failed.length) throw new Error(`these benchmarks failed: ${failed.join(', ')}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`bench failed: ${e?.message ?? e}`);
    process.exit(1);
  },
);
