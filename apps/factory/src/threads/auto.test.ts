import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { autoThreads, coresFromCpuMax } from './auto';

describe('THREADS=auto', () => {
  it('reads a cgroup v2 CPU limit as whole cores, rounded up', () => {
    expect(coresFromCpuMax('200000 100000\n')).toBe(2);
    expect(coresFromCpuMax('150000 100000')).toBe(2);
    expect(coresFromCpuMax('50000 100000')).toBe(1);
    expect(coresFromCpuMax('max 100000')).toBeNull();
    expect(coresFromCpuMax('')).toBeNull();
    expect(coresFromCpuMax('garbage')).toBeNull();
  });

  it('is capped by the container\'s CPU limit, and is the cores the process may use without one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpu-max-'));
    const limited = join(dir, 'limited');
    writeFileSync(limited, '100000 100000\n');
    expect(autoThreads(limited)).toBe(1);
    const unlimited = join(dir, 'unlimited');
    writeFileSync(unlimited, 'max 100000\n');
    expect(autoThreads(unlimited)).toBe(availableParallelism());
    expect(autoThreads(join(dir, 'absent'))).toBe(availableParallelism());
  });
});
