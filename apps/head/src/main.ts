import 'reflect-metadata';
import { dirname, join } from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import { pino, type Logger } from 'pino';
import { headConfigSchema, loadConfig, loggerSettings, type HeadConfig } from '@barrage/config';
import { appModule } from './app.module.js';
import { ErrorFilter, toApiError } from './common/error.filter.js';
import { migrate } from './database/migrator.js';
import { inputGuard } from './common/input-guard.js';
import { createApiKeyDirect } from './auth/bootstrap.js';
import type { CreatedApiKey } from '@barrage/contracts';
import { applyHttpHygiene, enterRequestContext } from './common/http-hygiene.js';
import { requestIdMixin } from './common/request-context.js';

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), '../../../prisma/migrations');

export interface RunningHead {
  url: string;
  close(): Promise<void>;
}

/** Migrates the database, then serves the API. Configuration comes from `env`, validated once. */
export async function startHead(env: Record<string, string | undefined>, log: Logger = pino({ ...loggerSettings(env), mixin: requestIdMixin })): Promise<RunningHead> {
  const config: HeadConfig = loadConfig(headConfigSchema, env);
  const { applied } = await migrate(config.DATABASE_URL, migrationsDir, (m) => log.info(m));
  if (applied.length) log.info({ applied }, 'database migrated');

  const app = await NestFactory.create<NestExpressApplication>(appModule(config, log), { bodyParser: false, logger: nestLogger(log) });
  app.use(accessTokenFromQuery);
  applyHttpHygiene(app, config, log);
  app.use(express.json({ limit: config.BODY_LIMIT_BYTES, type: () => true }));
  app.use(enterRequestContext);
  app.use(inputGuard);
  // Body-parser errors happen before routing; answer them in the API's error shape too.
  app.use((err: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const e = toApiError(err);
    res.status(e.status).json(e.toBody());
  });
  app.useGlobalFilters(new ErrorFilter(log));
  app.enableShutdownHooks();
  app.getHttpServer().on('clientError', answerClientError);
  await app.listen(config.PORT, config.HOST);
  const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  log.info({ url }, 'head listening');
  return { url, close: () => app.close() };
}

/**
 * EventSource and a link cannot send headers: a GET may carry the key as `?access_token=`
 * (docs/security.md#api-keys). It becomes the Authorization header and leaves the URL, so
 * no route's query schema sees it and no access log records it.
 */
function accessTokenFromQuery(req: express.Request, _res: express.Response, next: express.NextFunction): void {
  if ((req.method === 'GET' || req.method === 'HEAD') && req.url.includes('access_token=')) {
    const url = new URL(req.url, 'http://head');
    const token = url.searchParams.get('access_token');
    url.searchParams.delete('access_token');
    req.url = url.pathname + url.search;
    if (token && req.headers.authorization === undefined) req.headers.authorization = `Bearer ${token}`;
  }
  next();
}

/**
 * `barrage keys create`: migrates the database if needed and makes a key in it directly,
 * so the first admin key exists before any key does (docs/security.md#the-first-key).
 */
export async function createApiKey(env: Record<string, string | undefined>, options: { name: string; scope: string; expiresIn?: string }, log: Logger = pino({ level: 'warn' })): Promise<CreatedApiKey> {
  const { DATABASE_URL } = loadConfig(headConfigSchema.pick({ DATABASE_URL: true }), env);
  await migrate(DATABASE_URL, migrationsDir, (m) => log.info(m));
  return createApiKeyDirect(DATABASE_URL, options);
}

/**
 * Requests Node refuses before any route (a URL or headers over 16 KB, broken HTTP) get the
 * API's error shape too, instead of Node's bare 431/400.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify({ error: { code: 'VALIDATION_FAILED', message: tooLarge ? 'the URL and headers are too large (16 KB at most)' : 'malformed HTTP request' } });
  socket.end(`HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** Nest's own messages go through the same JSON logger. */
function nestLogger(log: Logger) {
  return {
    log: (m: unknown, ctx?: string) => log.debug({ ctx }, String(m)),
    error: (m: unknown, ...rest: unknown[]) => log.error({ rest }, String(m)),
    warn: (m: unknown, ctx?: string) => log.warn({ ctx }, String(m)),
    debug: (m: unknown, ctx?: string) => log.debug({ ctx }, String(m)),
    verbose: (m: unknown, ctx?: string) => log.trace({ ctx }, String(m)),
  };
}
