/**
 * What every response of the head carries (docs/conventions.md#http-the-head): security headers, no framework
 * banner, CORS only for the configured origins, and a request id that is also on every log
 * line written while serving the request.
 */
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { HeadConfig } from '@barrage/config';
import { requestContext, requestIdFor } from './request-context.js';

/**
 * Pages the head serves (/docs, and a web page at /) load their scripts and styles from the
 * head itself; nothing inline may run. /report.html replaces this with its own, stricter policy.
 */
export const HEAD_CSP = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    // Swagger UI (and most UI libraries) set style attributes; styles cannot run code.
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'self'"],
  },
};

const REQUEST_ID = 'X-Request-Id';
/** Scraped and probed every few seconds: their lines would drown the rest at info. */
const QUIET_PATHS = new Set(['/health', '/metrics']);

/** Installs the hygiene middleware; call it before any other middleware. */
export function applyHttpHygiene(app: NestExpressApplication, config: HeadConfig, log: Logger): void {
  app.disable('x-powered-by');
  app.use(assignRequestId(log));
  app.use(helmet({ contentSecurityPolicy: HEAD_CSP }));
  if (config.CORS_ORIGINS.length > 0) {
    app.enableCors({ origin: config.CORS_ORIGINS, exposedHeaders: [REQUEST_ID, 'Retry-After', 'Last-Event-ID'], maxAge: 600 });
  }
}

/**
 * Names the request (header in, header out) and writes one line when its answer is sent. The
 * id reaches the other log lines through `requestContext`, entered by `enterRequestContext`
 * after the body is read (body-parser's stream callbacks would lose it before).
 */
function assignRequestId(log: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const id = requestIdFor(req.headers['x-request-id']);
    const started = process.hrtime.bigint();
    res.locals.requestId = id;
    res.setHeader(REQUEST_ID, id);
    res.on('finish', () => {
      const path = req.originalUrl.split('?', 1)[0]!.slice(0, 512);
      const line = { requestId: id, method: req.method, path, status: res.statusCode, ms: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10 };
      if (QUIET_PATHS.has(path)) log.debug(line, 'request');
      else log.info(line, 'request');
    });
    next();
  };
}

/** Runs the rest of the request (routes, services, filters) inside its request id's context. */
export function enterRequestContext(_req: Request, res: Response, next: NextFunction): void {
  requestContext.run(String(res.locals.requestId), next);
}
