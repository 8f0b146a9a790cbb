// toApiError's mapping of dependency failures (docs/api.md#errors: 503 dependency down, 500 only for
// bugs). The errors are the real ones where they can be made here: ioredis and pg against a
// local socket that never answers or a port nobody listens on, Prisma's error classes with
// the fields its pg adapter was seen to set (Postgres stopped, frozen, statement_timeout).
//
// @nestjs/common 12 is ESM only, which jest (CommonJS through swc) cannot load on Node 20:
// the few parts error.filter.ts uses are stood in for below, with Nest's behaviour.
jest.mock('@nestjs/common', () => {
  class HttpException extends Error {
    constructor(
      message: string,
      private readonly status: number,
    ) {
      super(message);
    }
    getStatus() {
      return this.status;
    }
  }
  return {
    Catch: () => () => undefined,
    HttpException,
    NotFoundException: class extends HttpException {
      constructor(message = 'Not Found') {
        super(message, 404);
      }
    },
    ServiceUnavailableException: class extends HttpException {
      constructor(message = 'Service Unavailable') {
        super(message, 503);
      }
    },
  };
});
import * as net from 'node:net';
import { HttpException, NotFoundException, ServiceUnavailableException, type ArgumentsHost } from '@nestjs/common';
import { Redis } from 'ioredis';
import { MaxRetriesPerRequestError } from 'ioredis/built/errors';
import { Client, DatabaseError, Pool } from 'pg';
import { PrismaClientInitializationError, PrismaClientKnownRequestError } from '@prisma/client/runtime/client';
import { ApiError, notFound } from './api-error';
import { ErrorFilter, dependencyFailure, toApiError } from './error.filter';
import { DependencyTimeoutError, withTimeout } from '../infra/dependency';

const clientVersion = '7.10.0';

/** A TCP server that accepts connections and never says a word (a frozen Redis or Postgres). */
let silent: net.Server;
let silentPort: number;
const sockets = new Set<net.Socket>();
/** A port nobody listens on (refused at once). */
let closedPort: number;

beforeAll(async () => {
  silent = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as net.AddressInfo).port;
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

function expectUnavailable(e: unknown, dependency: RegExp) {
  const api = toApiError(e);
  expect(api).toBeInstanceOf(ApiError);
  expect(api.status).toBe(503);
  expect(api.code).toBe('UNAVAILABLE');
  expect(api.retryAfter).toBe(5);
  expect(api.message).toMatch(dependency);
  expect(api.toBody()).toEqual({ error: { code: 'UNAVAILABLE', message: api.message } });
}

function prismaError(code: string, message: string, cause?: Record<string, unknown>) {
  return new PrismaClientKnownRequestError(message, { code, clientVersion, meta: cause ? { modelName: 'Campaign', driverAdapterError: { name: 'DriverAdapterError', cause } } : { modelName: 'Campaign' } });
}

describe('toApiError: Redis failures are 503 UNAVAILABLE with Retry-After', () => {
  it('maps "Command timed out" (Redis frozen: connected, never answers)', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: silentPort, commandTimeout: 100, maxRetriesPerRequest: 1, lazyConnect: true, enableReadyCheck: false, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      redis.connect().catch(() => undefined);
      const e = await rejection(redis.ping());
      expect((e as Error).message).toBe('Command timed out');
      expectUnavailable(e, /^Redis is unavailable/);
    } finally {
      redis.disconnect();
    }
  });

  it('maps the refused offline queue', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: closedPort, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      const e = await rejection(redis.get('x'));
      expect((e as Error).message).toBe("Stream isn't writeable and enableOfflineQueue options is false");
      expectUnavailable(e, /^Redis/);
    } finally {
      redis.disconnect();
    }
  });

  it('maps MaxRetriesPerRequestError (the offline queue given up while Redis refuses connections)', () => {
    // What ioredis rejects queued commands with after maxRetriesPerRequest failed reconnections.
    const e = new MaxRetriesPerRequestError(1);
    expect(e.name).toBe('MaxRetriesPerRequestError');
    expectUnavailable(e, /^Redis/);
  });

  it('maps "Connection is closed."', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: closedPort, lazyConnect: true });
    redis.on('error', () => undefined);
    redis.disconnect();
    const e = await rejection(redis.get('x'));
    expect((e as Error).message).toMatch(/^Connection is closed/);
    expectUnavailable(e, /^Redis/);
  });

  it('maps a bounded wait on a BullMQ connection (DependencyTimeoutError)', async () => {
    const e = await rejection(withTimeout(new Promise(() => undefined), 20, 'Redis', 'enqueueing 2 chunk jobs'));
    expect(e).toBeInstanceOf(DependencyTimeoutError);
    expectUnavailable(e, /^Redis is unavailable or too slow \(no answer within 20 ms\)/);
  });
});

describe('toApiError: Postgres failures are 503 UNAVAILABLE with Retry-After', () => {
  it('maps pg connection refused (ECONNREFUSED)', async () => {
    const client = new Client({ host: '127.0.0.1', port: closedPort, user: 'x', database: 'x' });
    const e = await rejection(client.connect());
    expect((e as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expectUnavailable(e, /unavailable/);
  });

  it('maps the pool connection timeout (Postgres frozen at connect)', async () => {
    const pool = new Pool({ host: '127.0.0.1', port: silentPort, user: 'x', database: 'x', connectionTimeoutMillis: 100 });
    try {
      const e = await rejection(pool.query('SELECT 1'));
      expect((e as Error).message).toBe('Connection terminated due to connection timeout');
      expectUnavailable(e, /^the database \(Postgres\)/);
    } finally {
      await pool.end().catch(() => undefined);
    }
  });

  it("maps pg's query read timeout and pool connect timeout (plain Errors, as Prisma rethrows them)", () => {
    expectUnavailable(Object.assign(new Error('Query read timeout'), { clientVersion }), /Postgres/);
    expectUnavailable(new Error('timeout exceeded when trying to connect'), /Postgres/);
    expectUnavailable(new Error('Connection terminated due to connection timeout', { cause: new Error('Connection terminated unexpectedly') }), /Postgres/);
  });

  it('maps pg DatabaseErrors of an unavailable server, not the others', () => {
    const db = (code: string, message: string) => Object.assign(new DatabaseError(message, 0, 'error'), { code, severity: 'FATAL' });
    expectUnavailable(db('57P03', 'the database system is starting up'), /Postgres/);
    expectUnavailable(db('57P01', 'terminating connection due to administrator command'), /Postgres/);
    expectUnavailable(db('57014', 'canceling statement due to statement timeout'), /Postgres/);
    expectUnavailable(db('08006', 'connection failure'), /Postgres/);
    expect(toApiError(db('23505', 'duplicate key value violates unique constraint')).status).toBe(500);
  });

  it('maps Prisma connection and timeout codes', () => {
    expectUnavailable(prismaError('P1001', "Can't reach database server at 127.0.0.1:5432", { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 5432 }), /Can't reach database server/);
    for (const code of ['P1002', 'P1008', 'P1017', 'P2024']) expectUnavailable(prismaError(code, 'timed out'), /Postgres/);
    expectUnavailable(new PrismaClientKnownRequestError('Transaction API error: Unable to start a transaction in the given time.', { code: 'P2028', clientVersion, meta: {} }), /Unable to start a transaction/);
    expectUnavailable(new PrismaClientInitializationError("Can't reach database server", clientVersion, 'P1001'), /Postgres/);
  });

  it('maps Prisma errors whose driver error is statement_timeout, shutdown or a lost connection', () => {
    const pg = (code: string, message: string) => ({ originalCode: code, originalMessage: message, kind: 'postgres', code, severity: 'ERROR', message });
    expectUnavailable(prismaError('P2010', 'Raw query failed. Code: `57014`. Message: `canceling statement due to statement timeout`', pg('57014', 'canceling statement due to statement timeout')), /statement timeout/);
    expectUnavailable(prismaError('P2039', 'Database error. Code: `57P03`. Message: `the database system is shutting down`', pg('57P03', 'the database system is shutting down')), /shutting down/);
    expectUnavailable(prismaError('P2010', 'Raw query failed. Code: `57P01`.', pg('57P01', 'terminating connection due to administrator command')), /Postgres/);
    expectUnavailable(prismaError('P2010', "Raw query failed. Code: `N/A`. Message: `Can't reach database server at 127.0.0.1:1`", { kind: 'DatabaseNotReachable', host: '127.0.0.1', port: 1 }), /Postgres/);
    expectUnavailable(prismaError('P2010', 'Raw query failed.', { kind: 'ConnectionClosed' }), /Postgres/);
  });

  it('reports only the last line of a Prisma message', () => {
    const api = toApiError(prismaError('P1001', "\nInvalid `prisma.campaign.findMany()` invocation:\n\n\nCan't reach database server at 127.0.0.1:5432"));
    expect(api.message).toBe("the database (Postgres) is unavailable or too slow (Can't reach database server at 127.0.0.1:5432); retry later");
  });
});

describe('toApiError: everything else is unchanged', () => {
  it('keeps bugs at 500 and other Prisma errors out of 503', () => {
    expect(toApiError(new Error('boom'))).toMatchObject({ status: 500, code: 'INTERNAL', retryAfter: undefined });
    expect(toApiError(prismaError('P2002', 'Unique constraint failed')).status).toBe(500);
    const pg42 = { originalCode: '42P01', originalMessage: 'relation "x" does not exist', kind: 'postgres', code: '42P01', severity: 'ERROR', message: 'relation "x" does not exist' };
    expect(toApiError(prismaError('P2010', 'Raw query failed. Code: `42P01`.', pg42)).status).toBe(500);
    expect(toApiError(undefined).status).toBe(500);
    expect(dependencyFailure('Command timed out')).toBeNull();
  });

  it('keeps ApiErrors, HttpExceptions and body-parser errors', () => {
    const nf = notFound('campaign "x"');
    expect(toApiError(nf)).toBe(nf);
    expect(toApiError(new NotFoundException('no route'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(toApiError(new HttpException('teapot', 418))).toMatchObject({ status: 418, code: 'VALIDATION_FAILED' });
    expect(toApiError(new ServiceUnavailableException('later'))).toMatchObject({ status: 503, code: 'UNAVAILABLE', retryAfter: 5 });
    expect(toApiError({ type: 'entity.parse.failed', status: 400, message: 'Unexpected token' })).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
    expect(toApiError({ type: 'entity.too.large', status: 413 })).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('finds a dependency failure in a cause chain or an AggregateError', () => {
    expectUnavailable(new Error('enqueue failed', { cause: new Error('Command timed out') }), /Redis/);
    expectUnavailable(new AggregateError([new Error('x'), Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })]), /a dependency/);
  });
});

describe('ErrorFilter', () => {
  function respond(exception: unknown) {
    const headers: Record<string, string> = {};
    let status = 0;
    let body: unknown;
    const res = {
      headersSent: false,
      setHeader: (k: string, v: string) => void (headers[k.toLowerCase()] = v),
      status(s: number) {
        status = s;
        return this;
      },
      json(b: unknown) {
        body = b;
        return this;
      },
    };
    const host = { switchToHttp: () => ({ getResponse: () => res }) } as unknown as ArgumentsHost;
    const log = { warn: jest.fn(), error: jest.fn() };
    new ErrorFilter(log as never).catch(exception, host);
    return { status, body, headers, log };
  }

  it('answers a dependency failure 503 with Retry-After: 5, logged as a warning', () => {
    const r = respond(new Error('Command timed out'));
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('5');
    expect(r.body).toEqual({ error: { code: 'UNAVAILABLE', message: expect.stringMatching(/^Redis is unavailable/) } });
    expect(r.log.warn).toHaveBeenCalled();
    expect(r.log.error).not.toHaveBeenCalled();
  });

  it('sends no Retry-After with a 404 or a 500', () => {
    expect(respond(notFound('x')).headers['retry-after']).toBeUndefined();
    const bug = respond(new Error('boom'));
    expect(bug.status).toBe(500);
    expect(bug.headers['retry-after']).toBeUndefined();
    expect(bug.log.error).toHaveBeenCalled();
  });
});
