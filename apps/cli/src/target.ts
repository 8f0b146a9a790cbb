import { createServer, type Server } from 'node:http';

/**
 * A small HTTP target that counts what it receives, for the demo and the end-to-end tests:
 * the ground truth a report is compared with. Routes: any path answers 200 `ok` except
 * `/status/NNN` (answers NNN) and `/slow/MS` (answers after MS ms); `stall(ms)` holds every
 * answer for a while, as a stalled server would; `/__stats` returns the
 * counts as JSON (not counted) and `/__reset` clears them. With `recordArrivals`, every
 * request's path and arrival instant is kept too (tests compare them with the plan).
 */
export interface TargetStats {
  total: number;
  byPath: Record<string, number>;
  byMethod: Record<string, number>;
  /** Arrivals (path, epoch ms) when recording is on. */
  arrivals: { path: string; at: number }[];
}

export interface RunningTarget {
  url: string;
  port: number;
  stats: TargetStats;
  reset(): void;
  /** Holds every answer until `ms` from now (a server stall): requests still arrive and are counted. */
  stall(ms: number): void;
  close(): Promise<void>;
}

export async function startTarget(opts: { port?: number; host?: string; recordArrivals?: boolean } = {}): Promise<RunningTarget> {
  const stats: TargetStats = { total: 0, byPath: {}, byMethod: {}, arrivals: [] };
  const reset = () => {
    stats.total = 0;
    stats.byPath = {};
    stats.byMethod = {};
    stats.arrivals = [];
  };
  let stalledUntil = 0;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === '/__stats') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
    if (path === '/__reset') {
      reset();
      return void res.writeHead(204).end();
    }
    stats.total++;
    stats.byPath[path] = (stats.byPath[path] ?? 0) + 1;
    stats.byMethod[req.method ?? 'GET'] = (stats.byMethod[req.method ?? 'GET'] ?? 0) + 1;
    if (opts.recordArrivals) stats.arrivals.push({ path, at: Date.now() });
    req.resume();
    req.on('end', () => {
      const status = /^\/status\/(\d{3})$/.exec(path);
      const slow = /^\/slow\/(\d+)$/.exec(path);
      const answer = () => res.writeHead(status ? Number(status[1]) : 200, { 'content-type': 'text/plain' }).end('ok');
      const hold = Math.max(slow ? Number(slow[1]) : 0, stalledUntil - Date.now());
      if (hold > 0) setTimeout(answer, hold);
      else answer();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats,
    reset,
    stall: (ms) => {
      stalledUntil = Date.now() + ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
