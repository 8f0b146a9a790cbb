import { z } from 'zod';

/** Bad values fall back to the defaults here; the app's schema then refuses them by name. */
const loggingSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).catch('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).catch('json'),
});

/** What pino needs to know to log the way the environment asks (the subset of pino's options we set). */
export interface LoggerSettings {
  level: string;
  transport?: { target: string; options: Record<string, unknown> };
}

/**
 * Logger settings from LOG_LEVEL and LOG_FORMAT, read before the rest of the configuration
 * so that a bad configuration is itself logged in the chosen format. JSON lines by default
 * (for log collectors); `pretty` runs pino-pretty in pino's transport thread, for people.
 */
export function loggerSettings(env: Record<string, string | undefined>): LoggerSettings {
  const { LOG_LEVEL, LOG_FORMAT } = loggingSchema.parse({ LOG_LEVEL: env.LOG_LEVEL, LOG_FORMAT: env.LOG_FORMAT });
  if (LOG_FORMAT === 'json') return { level: LOG_LEVEL };
  return { level: LOG_LEVEL, transport: { target: 'pino-pretty', options: { colorize: false, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } };
}
