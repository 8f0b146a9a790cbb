#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '@barrage/config';
import { appEnv, repoRoot } from './env.js';
import { stackDown, stackSettings, stackStatus, stackUp } from './stack/index.js';
import { runDemo } from './demo.js';
import { startTarget } from './target.js';
import { EXIT_ERROR, type ExitCode } from './run/exit-code.js';
import { runCommand } from './run/run.js';
import { watchCommand } from './run/watch.js';
import { lsCommand } from './run/ls.js';

const DEFAULT_HEAD = 'http://127.0.0.1:8400';

const examples = `
Examples:
  barrage stack up                          local Redis + Postgres (no Docker needed)
  barrage head                              the API on :8400
  barrage factory --zone Z --capacity N     a load generator for zone Z (--threads auto: all cores)
  barrage keys create --scope admin         the first API key (printed once)
  barrage run test.json --junit results.xml run a test, exit 0 passed / 1 threshold failed / 2 error
  barrage watch KEY                         follow a running campaign
  barrage ls --status running               the campaigns on the head

Configuration comes from the environment (DATABASE_URL, REDIS_URL, PORT, LOG_LEVEL, ...),
completed by .barrage/stack.env when 'barrage stack up' has run. run, watch and ls read
BARRAGE_HEAD and BARRAGE_KEY. Details: docs/cli.md.`;

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

function positiveInt(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1`);
    return Number(value);
  };
}

function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** --head and --key, shared by the commands that talk to a head; the environment gives their defaults. */
function headOptions(cmd: Command, env: NodeJS.ProcessEnv): Command {
  return cmd
    .addOption(new Option('--head <url>', "the head's base URL (env BARRAGE_HEAD)").default(env.BARRAGE_HEAD || DEFAULT_HEAD))
    .addOption(new Option('--key <key>', 'API key, sent as Authorization: Bearer (env BARRAGE_KEY)').default(env.BARRAGE_KEY || undefined, env.BARRAGE_KEY ? 'BARRAGE_KEY' : 'none'));
}

function outputOptions(cmd: Command): Command {
  return cmd
    .option('--out <file>', 'write the report as JSON')
    .option('--junit <file>', 'write the thresholds as JUnit XML (one test case per threshold)')
    .option('--html <file>', 'write the report page')
    .option('-q, --quiet', 'no live progress, only the summary', false);
}

/** The process ends with a command's verdict once its output is written. */
const exitWith = (code: ExitCode) => process.exit(code);

function buildProgram(env: NodeJS.ProcessEnv): Command {
  const program = new Command('barrage')
    .description('Barrage — a distributed load-testing cluster')
    .version(cliVersion(), '-V, --version')
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', examples);

  program
    .command('stack')
    .description('local Redis + Postgres under .barrage/ (no Docker needed)')
    .addArgument(new Argument('<action>', 'what to do').choices(['up', 'down', 'status']))
    .action(async (action: 'up' | 'down' | 'status') => {
      const log = (m: string) => console.log(m);
      const settings = stackSettings(env);
      if (action === 'up') {
        const info = await stackUp({ root: repoRoot, log, settings });
        console.log(`stack up: DATABASE_URL=${info.databaseUrl} REDIS_URL=${info.redisUrl} (written to .barrage/stack.env)`);
      } else if (action === 'down') {
        await stackDown({ root: repoRoot, log, settings });
        console.log('stack down');
      } else console.log(JSON.stringify(await stackStatus(repoRoot), null, 2));
    });

  program
    .command('head')
    .description('the API and orchestrator (PORT, default 8400)')
    .action(async () => {
      const { startHead } = await import('@barrage/head');
      const head = await startHead(appEnv(env));
      untilSignal(head.close);
    });

  const keys = program.command('keys').description('API keys, made straight in Postgres (works before any key exists)');
  keys
    .command('create')
    .description('a new API key; printed once, on the last line (DATABASE_URL, or the local stack)')
    .addOption(new Option('--scope <scope>', 'read, write or admin').choices(['read', 'write', 'admin']).default('admin'))
    .option('--name <name>', 'what the key is for', 'cli')
    .option('--expires <duration>', 'lifetime, e.g. 30d, 12h, P90D (default: never)')
    .action(async (o: { scope: string; name: string; expires?: string }) => {
      const { createApiKey } = await import('@barrage/head');
      const created = await createApiKey(appEnv(env), { name: o.name, scope: o.scope, ...(o.expires ? { expiresIn: o.expires } : {}) });
      console.error(`created ${created.scope} key "${created.name}" (id ${created.id}${created.expiresAt ? `, expires ${created.expiresAt}` : ''}); it is not shown again:`);
      console.log(created.key);
    });

  program
    .command('factory')
    .description("a load generator consuming zone Z's chunks")
    .option('--zone <zone>', 'its zone (env ZONE, default "default")')
    .option('--capacity <n>', "weight of its share in the zone (env CAPACITY, default 1000)")
    .option('--id <id>', 'its id (env FACTORY_ID, default zone + random)')
    .option('--threads <n|auto>', 'worker threads per chunk, auto = one per core (env THREADS, default 1)')
    .action(async (o: { zone?: string; capacity?: string; id?: string; threads?: string }) => {
      const { startFactory } = await import('@barrage/factory');
      const overrides: Record<string, string> = {};
      if (o.zone) overrides.ZONE = o.zone;
      if (o.capacity) overrides.CAPACITY = o.capacity;
      if (o.id) overrides.FACTORY_ID = o.id;
      if (o.threads) overrides.THREADS = o.threads;
      const factory = await startFactory(appEnv(env, overrides));
      untilSignal(factory.close);
    });

  program
    .command('target')
    .description('a local HTTP target that counts what it receives')
    .option('--port <port>', 'port to listen on', positiveInt('--port'), 8080)
    .action(async (o: { port: number }) => {
      const target = await startTarget({ port: o.port });
      console.log(`target listening on ${target.url} (GET ${target.url}/__stats for counts)`);
      untilSignal(target.close);
    });

  program
    .command('demo')
    .description('stack + head + factory + target + a campaign, live')
    .option('--exit', 'stop everything once the campaign has ended (default: when not on a terminal)')
    .action(async (o: { exit?: boolean }) => runDemo({ exitWhenDone: o.exit ?? !process.stdout.isTTY }));

  outputOptions(headOptions(program.command('run'), env))
    .description('store the scenarios of a test file, run its campaign live, exit 0 passed / 1 a threshold failed / 2 error or aborted')
    .argument('<file>', 'test file: { scenarios: [...], campaign: {...} } as JSON, or YAML (.yaml, .yml)')
    .action(async (file: string, o) => exitWith(await runCommand(file, o)));

  outputOptions(headOptions(program.command('watch'), env))
    .description('follow a running campaign live; ends with its summary and the exit codes of run')
    .argument('<key>', 'the campaign key')
    .action(async (key: string, o) => exitWith(await watchCommand(key, o)));

  headOptions(program.command('ls'), env)
    .description('campaigns, newest first, with status and result')
    .option('--status <list>', 'only these statuses, comma-separated (e.g. running,completed)')
    .option('--limit <n>', 'how many (at most 100)', positiveInt('--limit'), 20)
    .option('--json', 'the campaign summaries as JSON', false)
    .action(async (o) => exitWith(await lsCommand({ ...o, limit: Math.min(100, o.limit) })));

  // A mistyped option or argument of a command gets a pointer to that command's help.
  for (const cmd of program.commands) cmd.showHelpAfterError(`(see 'barrage ${cmd.name()} --help')`);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram(process.env);
  if (argv.length === 0) {
    program.outputHelp();
    return;
  }
  await program.parseAsync(argv, { from: 'user' });
}

main(process.argv.slice(2)).catch((e: unknown) => {
  // Commander has already printed its message (and the help or a hint) on stderr.
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : EXIT_ERROR);
  if (e instanceof ConfigError) console.error(`barrage: ${e.message}`);
  else console.error('barrage:', e instanceof Error ? e.message : e);
  process.exit(1);
});
