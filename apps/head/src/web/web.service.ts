import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Injectable } from '@nestjs/common';

/** The page's own files: `src/web/public` seen from `src/web` and from `dist/web` alike (both are two levels below apps/head). */
const publicDir = fileURLToPath(new URL('../../src/web/public/', import.meta.url));

/** The one charting library, served from node_modules (no CDN: the page makes no external request). */
const vendorFiles: Record<string, string> = {
  '/ui/vendor/uPlot.esm.js': 'uplot/dist/uPlot.esm.js',
  '/ui/vendor/uPlot.min.css': 'uplot/dist/uPlot.min.css',
};

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

export interface WebFile {
  body: Buffer;
  contentType: string;
  etag: string;
}

/**
 * The web page's static files, read once at boot into memory (a few hundred KB): a fixed
 * table of URL → file, so nothing outside the folder can ever be asked for and no API route
 * is shadowed (the page lives at `/` and `/ui/…`, which no API route uses).
 */
@Injectable()
export class WebService {
  private readonly files = new Map<string, WebFile>();

  constructor() {
    for (const path of walk(publicDir)) {
      const url = '/' + relative(publicDir, path).split(sep).join('/');
      this.add(url === '/index.html' ? '/' : url, path);
    }
    const require = createRequire(import.meta.url);
    for (const [url, module] of Object.entries(vendorFiles)) this.add(url, require.resolve(module));
  }

  file(urlPath: string): WebFile | undefined {
    return this.files.get(urlPath);
  }

  private add(url: string, path: string): void {
    const contentType = contentTypes[extname(path)];
    if (!contentType) return;
    const body = readFileSync(path);
    this.files.set(url, { body, contentType, etag: `"${createHash('sha1').update(body).digest('base64url')}"` });
  }
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
