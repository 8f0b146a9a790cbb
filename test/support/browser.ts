/**
 * Headless Chromium for page tests: Debian's `chromium` driven by playwright-core (which
 * never downloads a browser of its own). `npm test` installs the package when it is missing
 * (scripts/ensure-chromium.mjs); when that failed, `launchChromium` throws with the reason
 * so a page test fails loudly instead of being skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Written by scripts/ensure-chromium.mjs when it could not install Chromium. */
const installFailure = join(__dirname, '..', '..', '.barrage', 'chromium-install-error.txt');

/** No background traffic of the browser's own (updates, sync, QUIC probes), no GPU, no sandbox (root in CI). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-quic',
  '--disable-sync',
];

/**
 * Launches Debian's Chromium. Each launch gets a fresh, temporary user-data-dir (Playwright
 * creates one per `launch` and deletes it on `close`), so no state leaks between tests.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    const why = existsSync(installFailure)
      ? `scripts/ensure-chromium.mjs could not install it: ${readFileSync(installFailure, 'utf8').trim()}`
      : '`npm test` installs it with `apt-get install -y chromium` (scripts/ensure-chromium.mjs) unless ' +
        'BARRAGE_NO_INSTALL is set; or install it yourself (Debian/Ubuntu: `sudo apt-get install -y chromium`).';
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}, and the page tests need it. ${why}`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface ServedPage {
  /** The page's address, http://127.0.0.1:<port>/<path>. */
  url: string;
  /** Every request the server received, as "METHOD /path". */
  hits: string[];
  close(): Promise<void>;
}

/** Serves one HTML document at `path` on 127.0.0.1 (a free port); anything else is a 404. */
export async function serveHtml(html: string, path = '/report.html'): Promise<ServedPage> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    if (req.method === 'GET' && req.url === path) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
      res.end(html);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
