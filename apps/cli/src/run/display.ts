/**
 * The live display of a campaign: a redrawn bar and numbers on a terminal (cli-progress),
 * plain lines elsewhere (one per metrics interval, at most one every few seconds so a CI log
 * stays readable), nothing but notes with --quiet.
 */
import cliProgress from 'cli-progress';
import pc from 'picocolors';
import type { LiveMetrics, LiveThreshold } from './live-event.js';
import { plainLine, ttyLine } from './progress.js';
import { thresholdCaseName } from './junit.js';

export interface Display {
  status(status: string): void;
  metrics(m: LiveMetrics): void;
  threshold(t: LiveThreshold): void;
  /** A line above the bar (or a plain line). */
  note(line: string): void;
  stop(): void;
}

export interface DisplayOptions {
  stream: NodeJS.WriteStream;
  quiet: boolean;
  plannedMs: number | null;
  /** Minimum time between two plain lines. @defaultValue 5000 */
  plainEveryMs?: number;
}

const breachLine = (t: LiveThreshold) =>
  `threshold breached: ${thresholdCaseName({ ...t, passed: false })}${t.observed === null ? '' : ` (observed ${+t.observed.toFixed(3)})`}`;

export function createDisplay(opts: DisplayOptions): Display {
  if (opts.quiet) return quietDisplay(opts.stream);
  return opts.stream.isTTY ? ttyDisplay(opts) : plainDisplay(opts);
}

function quietDisplay(stream: NodeJS.WriteStream): Display {
  const write = (line: string) => stream.write(`${line}\n`);
  return { status: () => {}, metrics: () => {}, threshold: (t) => write(breachLine(t)), note: write, stop: () => {} };
}

function plainDisplay(opts: DisplayOptions): Display {
  const write = (line: string) => opts.stream.write(`${line}\n`);
  const every = opts.plainEveryMs ?? 5000;
  let lastAt = 0;
  let pending: LiveMetrics | null = null;
  const flush = () => {
    if (pending) write(plainLine(pending, opts.plannedMs));
    pending = null;
    lastAt = Date.now();
  };
  return {
    status: (s) => write(`status ${s}`),
    metrics: (m) => {
      pending = m;
      if (Date.now() - lastAt >= every) flush();
    },
    threshold: (t) => write(breachLine(t)),
    note: write,
    stop: flush,
  };
}

function ttyDisplay(opts: DisplayOptions): Display {
  let status = 'starting';
  let last: LiveMetrics | null = null;
  const bars = new cliProgress.MultiBar({
    stream: opts.stream,
    hideCursor: true,
    clearOnComplete: false,
    linewrap: false,
    fps: 5,
    // The line is ours (progress.ts); cli-progress redraws it in place and prints notes above it.
    format: () => ttyLine(last, status, opts.plannedMs),
  });
  const line = bars.create(1, 0);
  const redraw = () => line.update(0);
  return {
    status: (s) => {
      status = s;
      redraw();
    },
    metrics: (m) => {
      last = m;
      redraw();
    },
    threshold: (t) => bars.log(`${pc.red(breachLine(t))}\n`),
    note: (l) => bars.log(`${l}\n`),
    stop: () => {
      redraw();
      bars.stop();
    },
  };
}
