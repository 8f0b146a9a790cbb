import { performance } from 'node:perf_hooks';
import { StepRecorder } from '@barrage/metrics';
import { scenarioSchema, type ChunkJob } from '@barrage/contracts';
import { chunkLines, shareFraction, type RateSchedule, type StartingLine } from '@barrage/planning';
import type { ClusterClock } from '../clock.js';
import { Connections } from '../http/connections.js';
import { compileScenario } from '../scenario/compiled.js';
import { Iteration, prepareSteps, type IterationContext } from './iteration.js';
import { startWarmUpServer } from './warm-up-server.js';

export interface WarmUpResult {
  requests: number;
  ms: number;
}

/**
 * Runs the request path (Iteration, connections, undici's client and parser, the recorder)
 * against a throwaway server inside this process (on a thread of its own: warm-up-server.ts),
 * so that V8 has optimised it before the first campaign. Cold, the path ran at ~3-5k
 * requests/s for most of a second and an open-model chunk at 20,000/s dropped half of its first
 * second (bench/README.md). No request leaves the process; bounded by count and time.
 */
export async function warmUp(clock: ClusterClock, opts: { requests?: number; maxMs?: number; concurrency?: number } = {}): Promise<WarmUpResult> {
  const requests = opts.requests ?? 30_000;
  const maxMs = opts.maxMs ?? 3000;
  const concurrency = opts.concurrency ?? 32;
  const server = await startWarmUpServer();
  const url = `${server.origin}/warm-up`;
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
        recorders: scenario.steps.map((st) => new StepRecorder(st.name, { streamed: st.stream !== null })),
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
    await server.close();
  }
  return { requests: done, ms: performance.now() - t0 };
}

/** How long a chunk's warm-up runs its load model (ChunkRunner.warmUp). */
export const CHUNK_WARM_MS = 600;
/** Arrivals/s the open model's warm-up sends at least, so a slow chunk still warms (6,000 requests in CHUNK_WARM_MS). */
const CHUNK_WARM_MIN_RATE = 10_000;
/** Minions the closed model's warm-up runs at most (each has its own socket, as in the run). */
const CHUNK_WARM_MAX_MINIONS = 64;

/**
 * The open model's warm-up plan: the chunk's own peak rate (at least CHUNK_WARM_MIN_RATE of
 * its own arrivals a second), constant for CHUNK_WARM_MS, in the plan's units (the chunk
 * owns its share of them), so that the warm-up queues on the sockets as the first second will.
 */
export function warmRate(job: ChunkJob): RateSchedule {
  const fraction = shareFraction(job.share);
  const peak = (job.rate?.segments ?? []).reduce((most, s) => Math.max(most, s.fromRate, s.toRate), 0);
  const own = Math.max(peak * fraction, CHUNK_WARM_MIN_RATE);
  const rate = fraction > 0 ? own / fraction : CHUNK_WARM_MIN_RATE;
  return { segments: [{ startMs: 0, durationMs: CHUNK_WARM_MS, fromRate: rate, toRate: rate }] };
}

/** The closed model's warm-up plan: the chunk's minions (CHUNK_WARM_MAX_MINIONS at most), all at once; none when it has none. */
export function warmLines(job: ChunkJob): StartingLine[] {
  const own = chunkLines(job.lines ?? [], job.share).reduce((n, l) => n + l.count, 0);
  return own === 0 ? [] : [{ atMs: 0, count: Math.min(own, CHUNK_WARM_MAX_MINIONS) }];
}
