// Where a sampling heap profile's bytes were allocated: the top frames by the bytes they
// allocated themselves, each with the frames that called it, and the totals per package
// (undici, node internals, Barrage's dist, ...). Reads the JSON barrage-child.mjs writes with
// `heapSample` (V8's SamplingHeapProfile: a call tree of { callFrame, selfSize, children }).
//
//   node bench/alloc-top.mjs <profile.json> [--top=20] [--callers=4]
import { readFileSync } from 'node:fs';
import { parseArgs } from './lib.mjs';

const argv = parseArgs(process.argv.slice(2).filter((a) => a.startsWith('--')));
const file = process.argv.slice(2).find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: node bench/alloc-top.mjs <profile.json> [--top=20] [--callers=4]');
  process.exit(2);
}
const TOP = Number(argv.top ?? 20);
const CALLERS = Number(argv.callers ?? 4);
const { head } = JSON.parse(readFileSync(file, 'utf8'));

const where = (f) => `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/^file:\/\/.*?\/(apps|libs)\//, '$1/')}:${f.lineNumber + 1}` : ''}`.trim();
const pkg = (f) => {
  const u = f.url ?? '';
  const m = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (m) return m[1];
  if (/\/(apps|libs)\/[^/]+\//.test(u)) return `barrage ${/\/((?:apps|libs)\/[^/]+)\//.exec(u)[1]}`;
  if (u.startsWith('node:')) return 'node';
  return u ? 'other' : '(vm)';
};

const byFrame = new Map();
const byPkg = new Map();
let total = 0;
(function walk(node, stack) {
  const here = [...stack, node.callFrame];
  if (node.selfSize > 0) {
    total += node.selfSize;
    const k = where(node.callFrame);
    const e = byFrame.get(k) ?? { bytes: 0, callers: new Map() };
    e.bytes += node.selfSize;
    const chain = here.slice(-1 - CALLERS, -1).reverse().map(where).join(' < ');
    e.callers.set(chain, (e.callers.get(chain) ?? 0) + node.selfSize);
    byFrame.set(k, e);
    const p = pkg(node.callFrame);
    byPkg.set(p, (byPkg.get(p) ?? 0) + node.selfSize);
  }
  for (const c of node.children ?? []) walk(c, here);
})(head, []);

const mb = (n) => `${(n / 1048576).toFixed(1)} MB`;
const pct = (n) => `${((100 * n) / total).toFixed(1)} %`;
console.log(`sampled bytes: ${mb(total)}`);
console.log('\nby package:');
for (const [p, n] of [...byPkg].sort((a, b) => b[1] - a[1])) console.log(`  ${pct(n).padStart(7)}  ${mb(n).padStart(9)}  ${p}`);
console.log(`\ntop ${TOP} frames by bytes allocated (with their main caller chain):`);
for (const [k, e] of [...byFrame].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, TOP)) {
  const [chain] = [...e.callers].sort((a, b) => b[1] - a[1])[0];
  console.log(`  ${pct(e.bytes).padStart(7)}  ${mb(e.bytes).padStart(9)}  ${k}`);
  if (chain) console.log(`                      < ${chain}`);
}
