// The top frames of a V8 CPU profile (node --cpu-prof): self time per function, summed over
// every node of the call tree with that function, as a share of the profile's samples.
//
//   node bench/profile-top.mjs <file.cpuprofile> [--top=25] [--from=<ms>] [--to=<ms>]
//
// (idle) samples are left out of the shares. --from/--to keep the samples within that window (ms from the profile's start): a factory's
// profile covers its whole life, of which a campaign is a part.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { ROOT, parseArgs } from './lib.mjs';

/**
 * [{ name, where, selfMs, share }] sorted by self time, and the profile's busy and idle ms;
 * only samples within one of `windows` ([fromMs, toMs] from the profile's start) count.
 */
export function topFrames(profile, { top = 25, fromMs = 0, toMs = Number.POSITIVE_INFINITY, windows = [[fromMs, toMs]] } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let t = 0;
  let total = 0;
  let idle = 0;
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (deltas[i] ?? 0) / 1000;
    t += dt;
    if (!windows.some(([a, b]) => t >= a && t <= b)) continue;
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    const cf = node.callFrame;
    if (cf.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    let where = cf.url || '';
    if (where.startsWith('file://')) where = relative(ROOT, fileURLToPath(where));
    where = where.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '');
    const key = `${cf.functionName || '(anonymous)'}\u0000${where}:${cf.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  const rows = [...self.entries()]
    .map(([key, ms]) => {
      const [name, where] = key.split('\u0000');
      return { name, where, selfMs: ms, share: total ? ms / total : 0 };
    })
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top);
  return { rows, totalMs: total, idleMs: idle };
}

export function formatTop({ rows, totalMs, idleMs }) {
  const lines = [`  self ms   share  function (file:line)   — of ${totalMs.toFixed(0)} ms busy (${idleMs.toFixed(0)} ms idle left out)`];
  for (const r of rows) lines.push(`  ${r.selfMs.toFixed(0).padStart(7)}  ${(100 * r.share).toFixed(1).padStart(5)}%  ${r.name} (${r.where})`);
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node bench/profile-top.mjs <file.cpuprofile> [--top=25] [--from=ms] [--to=ms]');
  const argv = parseArgs(process.argv.slice(3));
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  console.log(formatTop(topFrames(profile, { top: Number(argv.top ?? 25), fromMs: Number(argv.from ?? 0), toMs: Number(argv.to ?? Number.POSITIVE_INFINITY) })));
}
