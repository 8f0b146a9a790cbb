#!/usr/bin/env node
// The image's HEALTHCHECK: asks this container's own process for /health. A head answers on
// PORT (8400 by default); a factory on METRICS_PORT. The role is read from PID 1's command
// line (tini -- node apps/cli/dist/main.js <role> ...). Exit 0 healthy, 1 not.
import { readFileSync } from 'node:fs';

const argv = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
const role = argv.includes('factory') ? 'factory' : 'head';
const port = role === 'factory' ? process.env.METRICS_PORT : (process.env.PORT ?? '8400');
if (!port) {
  console.error('factory without METRICS_PORT: it serves no /health to check');
  process.exit(1);
}
try {
  const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2500) });
  // A head answers 503 when Postgres or Redis is down; 200 when healthy or degraded (no factory yet).
  process.exit(res.status === 200 ? 0 : 1);
} catch (e) {
  console.error(`no answer from the ${role} on :${port}: ${e.message}`);
  process.exit(1);
}
