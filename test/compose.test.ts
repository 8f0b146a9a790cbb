/**
 * docker-compose.yml against the Compose Specification's JSON Schema (vendored in
 * test/vendor/, see its README), plus what the schema cannot say: every service that
 * another waits for has a healthcheck, and every wait is for `service_healthy`. And the
 * Dockerfile's shape (multi-stage, a production-only tree, non-root, HEALTHCHECK, tini).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { factoryConfigSchema } from '@barrage/config';
import { factoryEntrypoint } from './support/image';

const root = join(__dirname, '..');
// Draft-07, which is Ajv's default; its `$schema` names it by an https:// id Ajv does not know.
const { $schema: _draft07, ...schema } = JSON.parse(readFileSync(join(__dirname, 'vendor', 'compose-spec.json'), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

interface Service {
  build?: unknown;
  entrypoint?: unknown;
  environment?: Record<string, string>;
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
}
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };

function errorsOf(doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification', () => {
    expect(errorsOf(compose)).toEqual([]);
  });

  it('the check fails on a file that is not (an unknown key, a bad condition)', () => {
    const broken = structuredClone(compose) as { services: Record<string, Record<string, unknown>> };
    broken.services.head!.restart_policy = 'always';
    broken.services['factory-eu']!.depends_on = { head: { condition: 'service_ready' } };
    expect(errorsOf(broken).length).toBeGreaterThanOrEqual(2);
  });

  it('waits only for healthy services, and each one waited for has a healthcheck', () => {
    const waits = Object.entries(compose.services).flatMap(([name, s]) =>
      Array.isArray(s.depends_on) ? s.depends_on.map((d) => ({ name, on: d, condition: undefined })) : Object.entries(s.depends_on ?? {}).map(([on, d]) => ({ name, on, condition: d.condition })),
    );
    expect(waits.length).toBeGreaterThanOrEqual(5);
    for (const w of waits) {
      expect(w).toEqual({ ...w, condition: 'service_healthy' });
      const target = compose.services[w.on]?.healthcheck;
      expect({ on: w.on, healthcheck: Boolean(target?.test) && !target?.disable }).toEqual({ on: w.on, healthcheck: true });
    }
  });

  it('gives every service built from this repository a healthcheck', () => {
    const built = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);
    expect(built.map(([n]) => n).sort()).toEqual(['factory-eu', 'factory-us', 'head']);
    for (const [name, s] of built) expect({ name, test: s.healthcheck?.test }).toEqual({ name, test: ['CMD', 'node', 'scripts/healthcheck.mjs'] });
  });

  it('runs each factory under tini with GC on its event loop\'s thread, the head with the image\'s entrypoint', () => {
    const entrypoints = Object.fromEntries(Object.entries(compose.services).filter(([, s]) => s.build !== undefined).map(([n, s]) => [n, s.entrypoint]));
    const factory = ['/usr/bin/tini', '--', 'node', '--single-threaded-gc', 'apps/cli/dist/main.js'];
    expect(factoryEntrypoint()).toEqual(factory);
    expect(entrypoints).toEqual({ head: undefined, 'factory-eu': factory, 'factory-us': factory });
    // with the heap growth measured beside it (bench/README.md, 2026-12-06), in a valid factory configuration
    for (const name of ['factory-eu', 'factory-us']) {
      const config = factoryConfigSchema.parse(compose.services[name]!.environment);
      expect({ name, heapGrowth: config.HEAP_GROWTH_PERCENT, metricsPort: config.METRICS_PORT }).toEqual({ name, heapGrowth: 10, metricsPort: 9464 });
    }
  });
});

describe('Dockerfile', () => {
  const lines = readFileSync(join(root, 'Dockerfile'), 'utf8').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const stages = lines.reduce<string[][]>((acc, l) => (l.startsWith('FROM ') ? [...acc, [l]] : (acc.at(-1)?.push(l), acc)), []);
  const runtime = stages.at(-1)!.join('\n');

  it('builds in one stage and runs from another that holds only the production tree', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]!.join('\n')).toMatch(/--prod\b/);
    expect(runtime).toMatch(/COPY --from=build \/prod \/app/);
    expect(runtime).not.toMatch(/COPY --from=build \/app /);
  });

  it('runs as a user other than root, with a HEALTHCHECK, under tini in exec form', () => {
    expect(runtime).toMatch(/^USER (?!root\b|0\b)\S+/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*CMD \["node", "scripts\/healthcheck.mjs"\]/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--", "node", "apps\/cli\/dist\/main.js"\]/m);
  });
});
