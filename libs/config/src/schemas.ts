import { z } from 'zod';
import { parseAllowList, parseSecretsKey } from '@barrage/contracts';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');
const redisUrl = z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL');
const flag = z.enum(['true', 'false', '1', '0', '']).default('false').transform((v) => v === 'true' || v === '1');
/** 32 bytes as 64 hex characters or base64 (`barrage stack up` writes one; `openssl rand -base64 32` makes one). */
const secretsKey = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return null;
    const key = parseSecretsKey(v);
    if (key === null) ctx.addIssue({ code: 'custom', message: 'must be 32 bytes as 64 hex characters or base64 (openssl rand -base64 32)' });
    return key;
  });
/** Host names, *.wildcards and CIDR ranges, comma- or space-separated; unset: any target. */
const allowList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v.trim() === '') return null;
    try {
      return parseAllowList(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return null;
    }
  });
/** `json` (one object a line, for machines) or `pretty` (pino-pretty, for people). @defaultValue json */
const logFormat = z.enum(['json', 'pretty']).default('json');
/** A comma-separated list of origins (`https://app.example.com,http://localhost:3000`). */
const origins = z
  .string()
  .default('')
  .transform((s) => s.split(',').map((o) => o.trim()).filter(Boolean))
  .pipe(z.array(z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/, 'each origin must be scheme://host[:port], no path')));

/** The head's environment (docs/architecture.md#configuration). */
export const headConfigSchema = z.object({
  /** @defaultValue 8400 */
  PORT: port.default(8400),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL'),
  REDIS_URL: redisUrl,
  LOG_LEVEL: logLevel,
  /** How long a chunk may wait for a factory to accept it before its campaign fails. @defaultValue 30000 */
  ALLOCATION_TIMEOUT_MS: positiveInt.default(30_000),
  /** Interval resolution of new campaigns. @defaultValue 1000 */
  RESOLUTION_MS: positiveInt.default(1000),
  /**
   * Days after its creation that an unsaved campaign's intervals, samples and events are
   * purged (fractions allowed). @defaultValue 30
   */
  RETENTION_DAYS: z.coerce.number().min(0).max(36_500).default(30),
  /** How often a head looks for campaigns past their retention. @defaultValue 3600000 */
  RETENTION_SWEEP_MS: positiveInt.default(3_600_000),
  /** Largest accepted request body. @defaultValue 1048576 */
  BODY_LIMIT_BYTES: positiveInt.default(1024 * 1024),
  /** Grace given to the last snapshots of a finished chunk before its campaign is closed anyway. @defaultValue 15000 */
  METRICS_GRACE_MS: positiveInt.default(15_000),
  /**
   * Longest a Postgres statement of the head may run: Postgres cancels it past this
   * (`statement_timeout`, error 57014), and the client gives up 1 s later when the server
   * does not answer at all (a frozen or partitioned database). The request then gets a 503.
   * @defaultValue 5000
   */
  DB_STATEMENT_TIMEOUT_MS: positiveInt.default(5000),
  /**
   * Longest the head waits for a Postgres connection, whether opening one or waiting for a
   * free one in its pool; past it the request gets a 503. @defaultValue 3000
   */
  DB_CONNECT_TIMEOUT_MS: positiveInt.default(3000),
  /**
   * Longest a request waits for a Redis command (request path, and enqueueing chunk jobs);
   * past it the request gets a 503. BullMQ's and the stream reader's own connections wait
   * for Redis instead. @defaultValue 2000
   */
  REDIS_COMMAND_TIMEOUT_MS: positiveInt.default(2000),
  /** How late a schedule occurrence missed while no head was up may still run; later ones are skipped and logged. @defaultValue 300000 */
  SCHEDULE_MISFIRE_GRACE_MS: positiveInt.default(300_000),
  /**
   * TEST ONLY (docs/schedules.md): recurring schedules fire every this many ms from their
   * scheduledAt instead of by their rule, so an end-to-end test sees two firings in seconds.
   * Never set in production. @defaultValue unset: the rule decides
   */
  SCHEDULE_TEST_OCCURRENCE_EVERY_MS: positiveInt.optional(),
  /**
   * Turns API keys off (docs/security.md): every route open to whoever reaches the port. For a
   * laptop only; the head says so loudly at start-up. @defaultValue false
   */
  AUTH_DISABLED: flag,
  /** Failed authentications one client may make per minute before it gets 429. @defaultValue 20 */
  AUTH_FAILURES_PER_MINUTE: positiveInt.default(20),
  /** Encrypts scenario secrets at rest (AES-256-GCM); without it a scenario with secrets is refused. */
  SECRETS_KEY: secretsKey,
  /** Where load may go (docs/security.md#target-allow-list); unset: anywhere. */
  TARGET_ALLOWLIST: allowList,
  LOG_FORMAT: logFormat,
  /** Browser origins allowed to call the API (CORS); empty, the default, allows none. */
  CORS_ORIGINS: origins,
  /** Attempts of one webhook delivery before it is marked failed (docs/webhooks.md). @defaultValue 5 */
  WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  /** Delay before a webhook delivery's second attempt; it doubles for each next one. @defaultValue 1000 */
  WEBHOOK_RETRY_BASE_MS: positiveInt.default(1000),
  /** Longest a webhook receiver may take to answer one attempt. @defaultValue 10000 */
  WEBHOOK_TIMEOUT_MS: positiveInt.default(10_000),
  /** The head's address as users reach it (https://barrage.example.com): webhook bodies' links start with it. @defaultValue unset: links are paths */
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  /**
   * Longest the head waits, once every chunk is accepted, for every chunk to say it is ready
   * (connections open, path warmed) before fixing the start instant anyway; the campaign's
   * logs name the chunks that were not (docs/architecture.md#time). @defaultValue 10000
   */
  START_READY_TIMEOUT_MS: positiveInt.default(10_000),
});
export type HeadConfig = z.output<typeof headConfigSchema>;

/** A factory's environment; CLI flags (--zone, --capacity) are merged in before parsing. */
export const factoryConfigSchema = z.object({
  REDIS_URL: redisUrl,
  ZONE: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash, underscore (1-64)').default('default'),
  /** Minions (closed model) or iterations/s (open model) this factory accepts; weights its share in a zone. */
  CAPACITY: positiveInt.default(1000),
  FACTORY_ID: z.string().min(1).optional(),
  HOSTNAME: z.string().optional(),
  LOG_LEVEL: logLevel,
  HEARTBEAT_MS: positiveInt.default(2000),
  /** Port of the factory's /metrics and /health endpoint; 0 picks a free one, unset disables it. */
  METRICS_PORT: port.optional(),
  /**
   * Worker threads each chunk runs on (`--threads`): `auto` is one per core the process may
   * use; 1 runs chunks on the main thread (docs/architecture.md#threads). @defaultValue 1
   */
  THREADS: z.string().regex(/^(auto|[1-9][0-9]{0,2})$/, '"auto" or a whole number from 1 to 999').default('1'),
  /** Chunks of different campaigns this factory runs at once. @defaultValue 8 */
  MAX_CHUNKS: positiveInt.default(8),
  /**
   * Requests the factory sends to a server inside its own process at boot, so the request
   * path is optimised before the first campaign (bench/README.md); 0 skips it. @defaultValue 30000
   */
  WARM_UP_REQUESTS: z.coerce.number().int().min(0).default(30_000),
  /**
   * How far (percent) V8 lets the old generation grow past what its last full collection kept
   * before the next one, while the factory runs 1,000 or more closed-model minions
   * (apps/factory/src/heap.ts); 0 always leaves V8's own (up to 300). Lower keeps the RSS of many
   * minions on a slow target near what they hold, at the cost of more full collections. @defaultValue 25
   */
  HEAP_GROWTH_PERCENT: z.coerce.number().int().min(0).max(1000).default(25),
  /** Milliseconds a SIGTERM'd factory lets its chunks run before stopping them. @defaultValue 10000 */
  SHUTDOWN_GRACE_MS: positiveInt.default(10_000),
  /** The head's SECRETS_KEY: the factory decrypts scenario secrets with it. */
  SECRETS_KEY: secretsKey,
  /** The head's TARGET_ALLOWLIST: re-checked on every resolved request. */
  TARGET_ALLOWLIST: allowList,
  LOG_FORMAT: logFormat,
  /** How often the factory re-estimates its offset to the cluster clock (Redis TIME). @defaultValue 10000 */
  CLOCK_SYNC_MS: positiveInt.default(10_000),
  /**
   * Clock uncertainty (ms) past which the factory reports itself degraded (GET /factories,
   * /health) and the campaigns it runs say so in their logs. @defaultValue 5
   */
  CLOCK_MAX_UNCERTAINTY_MS: z.coerce.number().positive().default(5),
  /**
   * TEST ONLY: shifts the factory's own clock by this many ms, as a wrong system clock would;
   * its estimate of the cluster clock must correct it. Never set it in production. @defaultValue 0
   */
  CLOCK_SKEW_MS: z.coerce.number().min(-86_400_000).max(86_400_000).default(0),
  /**
   * TEST ONLY: holds back each chunk's `ready` signal this many ms, as a factory too slow to open
   * its connections would; the head must start without it and say so. Never set it in production. @defaultValue 0
   */
  READY_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
});
export type FactoryConfig = z.output<typeof factoryConfigSchema>;
