import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

/** Saturation thresholds: beyond these the numbers describe the generator, not the target. */
const LATE_SEND_MS = 5;
const LATE_SHARE = 0.01;
const CPU_PINNED = 0.95;
const MIN_CPU_WINDOW_MS = 200;

/**
 * Watches the generator itself over one interval (docs/metrics.md#generator-self-watch): event-loop lag,
 * CPU share of one core, and how late sends were against their intended instants.
 */
export class GeneratorHealth {
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private cpu = process.cpuUsage();
  private at = performance.now();
  private sends = 0;
  private lateSends = 0;
  private maxLateness = 0;
  private elu: EventLoopUtilization = performance.eventLoopUtilization();

  /**
   * `perThread`: the runner is one of a factory's worker threads, where process.cpuUsage()
   * counts every thread; its CPU share is then its own event loop's utilisation.
   */
  constructor(private readonly perThread = false) {
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
    const window = performance.now() - this.at;
    const cpu = process.cpuUsage(this.cpu);
    const cpuShare = this.perThread ? performance.eventLoopUtilization(this.elu).utilization : (cpu.user + cpu.system) / 1000 / Math.max(1, window);
    const maxLagMs = Math.max(0, this.loop.max / 1e6 - 10); // the sampler's own resolution is not lag
    const late = this.sends > 0 && this.lateSends / this.sends > LATE_SHARE;
    // A CPU share over a few milliseconds (the last, partial interval) says nothing.
    const pinned = window >= MIN_CPU_WINDOW_MS && cpuShare >= CPU_PINNED;
    const out = { maxLagMs, maxLatenessMs: this.maxLateness, cpu: cpuShare, saturated: late || pinned };
    this.restart();
    return out;
  }

  /** Starts a fresh interval now. */
  restart(): void {
    this.loop.reset();
    this.cpu = process.cpuUsage();
    this.elu = performance.eventLoopUtilization();
    this.at = performance.now();
    this.sends = 0;
    this.lateSends = 0;
    this.maxLateness = 0;
  }

  close(): void {
    this.loop.disable();
  }
}
