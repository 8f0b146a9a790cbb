import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/**
 * The cores a cgroup v2 CPU limit allows (`cpu.max`: "<quota> <period>" or "max <period>"),
 * rounded up; null when there is no limit or the text is not one.
 */
export function coresFromCpuMax(text: string): number | null {
  const [quota, period] = text.trim().split(/\s+/);
  const q = Number(quota);
  const p = Number(period);
  if (quota === 'max' || !(q > 0 && p > 0)) return null;
  return Math.max(1, Math.ceil(q / p));
}

/**
 * `THREADS=auto`: one thread per core this process may use. Node's availableParallelism()
 * sees the CPU affinity but not a container's CPU limit (a pod limited to 2 CPUs on a 64-core
 * node would get 64 threads), so the cgroup's limit caps it when there is one.
 */
export function autoThreads(cpuMaxFile = '/sys/fs/cgroup/cpu.max'): number {
  let limit: number | null = null;
  try {
    limit = coresFromCpuMax(readFileSync(cpuMaxFile, 'utf8'));
  } catch {
    // no cgroup v2 CPU controller here: the affinity is all there is
  }
  return Math.min(availableParallelism(), limit ?? Number.POSITIVE_INFINITY);
}
