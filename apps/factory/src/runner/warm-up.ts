import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { StepRecorder } from '@barrage/metrics';
import { scenarioSchema } from '@barrage/contracts';
import type { ClusterClock } from '../clock.js';
import { Connections } from '../http/connections.js';
import { compileScenario } from '../scenario/compiled.js';
import { Iteration, prepareSteps, type IterationContext } from './iteration.js';

export interface WarmUpResult {
  requests: number;
  ms: number;
}

/**
 * Runs the request path (Iteration, connections, undici's client and parser, the recorder)
 * against a throwaway server inside this process, so that V8 has optimised it before the
 * first campaign. Cold, the path ran at ~3-5k requests/s for most of a second and an open-
 * model chunk at 20,000/s dropped half of its first second (bench/README.md). No request
 * leaves the process; bounded by count and time.
 */
export async function warmUp(clock: ClusterClock, opts: { requests?: number; maxMs?: number; concurrency?: number } = {}): Promise<WarmUpResult> {
  const requests = opts.requests ?? 30_000;
  const maxMs = opts.maxMs ?? 3000;
  const concurrency = opts.concurrency ?? 32;
  const server = createServer((req, res) => {
    req.resume();
    res.end('ok');
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/warm-up`;
  const scenario = compileScenario(scenarioSchema.parse({ name: 'warm-up', steps: [{ name: 'warm-up', url, checks: [{ status: [200] }] }] }), {});
  const connections = new Connections();
  const t0 = performance.now();
  let started = 0;
  let done = 0;
  try {
    await new Promise<void>((resolve) => {
      const ctx: IterationContext = {
        clock,
        scenario,
        recorders: [new StepRecorder('warm-up')],
        connections,
        nextRow: () => null,
        whenRows: () => undefined,
        allowsOrigin: () => true,
        iterationEnded(it) {
          done++;
          if (started < requests && performance.now() - t0 < maxMs) {
            started++;
            setImmediate(() => it.begin(started, 0, clock.now()));
          } else if (done === started) resolve();
        },
      };
      const prepared = prepareSteps(scenario, connections);
      for (let i = 0; i < concurrency; i++) {
        started++;
        new Iteration(ctx, prepared).begin(i, 0, clock.now());
      }
    });
  } finally {
    await connections.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
  return { requests: done, ms: performance.now() - t0 };
}
