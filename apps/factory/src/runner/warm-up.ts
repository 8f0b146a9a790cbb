import { performance } from 'node:perf_hooks';
import { StepRecorder } from '@barrage/metrics';
import { scenarioSchema } from '@barrage/contracts';
import type { ClusterClock } from '../clock.js';
import { Connections, type OriginConnections } from '../http/connections.js';
import { compileScenario, type CompiledScenario } from '../scenario/compiled.js';
import { Iteration, prepareSteps, type IterationContext } from './iteration.js';
import { startWarmUpServer } from './warm-up-server.js';

export interface WarmUpResult {
  requests: number;
  ms: number;
  /** The origins the scenario's requests were meant for (templates rendered), in the order first asked. */
  origins: string[];
}

/**
 * Runs the request path (Iteration, connections, undici's client and parser, the recorder)
 * against a throwaway server inside this process (on a thread of its own: warm-up-server.ts),
 * so that V8 has optimised it before the first campaign. Cold, the path ran at ~3-5k
 * requests/s for most of a second and an open-model chunk at 20,000/s dropped half of its first
 * second (bench/README.md). No request leaves the process; bounded by count and time.
 */
export async function warmUp(clock: ClusterClock, opts: { requests?: number; maxMs?: number; concurrency?: number } = {}): Promise<WarmUpResult> {
  return warmPath(clock, null, opts);
}

/**
 * The same for one chunk's own scenario (its templates, checks, extractions), before its start
 * instant: every request goes to the throwaway server in this process whatever its URL says,
 * so nothing reaches the target and no `unique` data row is taken.
 */
export async function warmScenario(clock: ClusterClock, scenario: CompiledScenario, opts: { requests?: number; maxMs?: number; concurrency?: number } = {}): Promise<WarmUpResult> {
  return warmPath(clock, scenario, opts);
}

/** Connections that send every origin's requests to the warm-up server. */
class ToWarmUpServer extends Connections {
  readonly asked = new Set<string>();

  constructor(private readonly local: string) {
    super();
  }

  override for(origin: string): OriginConnections {
    this.asked.add(origin);
    return super.for(this.local);
  }
}

async function warmPath(clock: ClusterClock, own: CompiledScenario | null, opts: { requests?: number; maxMs?: number; concurrency?: number }): Promise<WarmUpResult> {
  const requests = opts.requests ?? 30_000;
  const maxMs = opts.maxMs ?? 3000;
  const concurrency = opts.concurrency ?? 32;
  const server = await startWarmUpServer();
  const url = `${server.origin}/warm-up`;
  const scenario = own ?? compileScenario(scenarioSchema.parse({ name: 'warm-up', steps: [{ name: 'warm-up', url, checks: [{ status: [200] }] }] }), {});
  const connections = own ? new ToWarmUpServer(new URL(url).origin) : new Connections();
  const row = own?.rows?.[0] ?? null;
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
        nextRow: () => row,
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
  return { requests: done, ms: performance.now() - t0, origins: connections instanceof ToWarmUpServer ? [...connections.asked] : [] };
}
