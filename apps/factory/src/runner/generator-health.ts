import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** Saturation thresholds: beyond these the numbers describe the generator, not the target. */
const LATE_SEND_MS = 5;
const LATE_SHARE = 0.01;
const CPU_PINNED = 0.95;

/**
 * Watches the generator itself over one interval (SPEC 4, last paragraph): event-loop lag,
 * CPU share of one core, and how late sends were against their intended instants.
 */
export class GeneratorHealth {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private cpu = process.cpuUsage();
  private at = performance.now();
  private sends = 0;
  private lateSends = 0;
  private maxLateness = 0;

  constructor() {
    this.loop.enable();
  }

  /** Hot path: one compare and two increments. */
  send(latenessMs: number): void {
    this.sends++;
    if (latenessMs > LATE_SEND_MS) this.lateSends++;
    if (latenessMs > this.maxLateness) this.maxLateness = latenessMs;
  }

  /** The interval's figures, then a fresh interval. */
  swap(): { maxLagMs: number; maxLatenessMs: number; cpu: number; saturated: boolean } {
    const now = performance.now();
    const cpu = process.cpuUsage(this.cpu);
    const cpuShare = (cpu.user + cpu.system) / 1000 / Math.max(1, now - this.at);
    const maxLagMs = Math.max(0, this.loop.max / 1e6 - 10); // the sampler's own resolution is not lag
    const late = this.sends > 0 && this.lateSends / this.sends > LATE_SHARE;
    const out = { maxLagMs, maxLatenessMs: this.maxLateness, cpu: cpuShare, saturated: late || cpuShare >= CPU_PINNED };
    this.loop.reset();
    this.cpu = process.cpuUsage();
    this.at = now;
    this.sends = 0;
    this.lateSends = 0;
    this.maxLateness = 0;
    return out;
  }

  close(): void {
    this.loop.disable();
  }
}
