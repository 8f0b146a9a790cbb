#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError } from '@barrage/config';
import { appEnv, repoRoot } from './env.js';
import { stackDown, stackSettings, stackStatus, stackUp } from './stack/index.js';
import { runDemo } from './demo.js';
import { startTarget } from './target.js';

const usage = `barrage — a distributed load-testing cluster

  barrage stack up|down|status      local Redis + Postgres under .barrage/ (no Docker needed)
  barrage head                      the API and orchestrator (PORT, default 8400)
  barrage factory --zone Z [--capacity N]
                                    a load generator consuming zone Z's chunks
  barrage target [--port P]         a local HTTP target that counts what it receives
  barrage demo [--exit]             stack + head + factory + target + a campaign, live

Configuration comes from the environment (DATABASE_URL, REDIS_URL, PORT, LOG_LEVEL, ...),
completed by .barrage/stack.env when 'barrage stack up' has run.`;

/** Runs until SIGTERM/SIGINT, then closes cleanly and exits 0. */
function untilSignal(close: () => Promise<void>): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    close().then(
      () => process.exit(0),
      (e) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'stack': {
      const sub = rest[0];
      const log = (m: string) => console.log(m);
      const settings = stackSettings(process.env);
      if (sub === 'up') {
        const info = await stackUp({ root: repoRoot, log, settings });
        console.log(`stack up: DATABASE_URL=${info.databaseUrl} REDIS_URL=${info.redisUrl} (written to .barrage/stack.env)`);
      } else if (sub === 'down') {
        await stackDown({ root: repoRoot, log, settings });
        console.log('stack down');
      } else if (sub === 'status') console.log(JSON.stringify(await stackStatus(repoRoot), null, 2));
      else throw new UsageError(`unknown 'stack ${sub ?? ''}': use up, down or status`);
      return;
    }
    case 'head': {
      const { startHead } = await import('@barrage/head');
      const head = await startHead(appEnv(process.env));
      untilSignal(head.close);
      return;
    }
    case 'factory': {
      const { values } = parseArgs({ args: rest, options: { zone: { type: 'string' }, capacity: { type: 'string' }, id: { type: 'string' } } });
      const { startFactory } = await import('@barrage/factory');
      const overrides: Record<string, string> = {};
      if (values.zone) overrides.ZONE = values.zone;
      if (values.capacity) overrides.CAPACITY = values.capacity;
      if (values.id) overrides.FACTORY_ID = values.id;
      const factory = await startFactory(appEnv(process.env, overrides));
      untilSignal(factory.close);
      return;
    }
    case 'target': {
      const { values } = parseArgs({ args: rest, options: { port: { type: 'string' } } });
      const target = await startTarget({ port: values.port ? Number(values.port) : 8080 });
      console.log(`target listening on ${target.url} (GET ${target.url}/__stats for counts)`);
      untilSignal(target.close);
      return;
    }
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { exit: { type: 'boolean' } } });
      await runDemo({ exitWhenDone: values.exit ?? !process.stdout.isTTY });
      return;
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(usage);
      return;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (e instanceof ConfigError) console.error(`barrage: ${e.message}`);
  else if (e instanceof UsageError) console.error(`barrage: ${e.message}\n\n${usage}`);
  else console.error('barrage:', e instanceof Error ? e.message : e);
  process.exit(e instanceof UsageError ? 2 : 1);
});
