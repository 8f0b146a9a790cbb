/**
 * The Kubernetes manifests (k8s/README.md): every kustomization is rendered by a real
 * kustomize, every rendered object is validated against the Kubernetes schemas
 * (kubernetes-models, generated from the Kubernetes OpenAPI document), and the facts an
 * operator relies on are checked on the rendered output: each zone overlay's factory zone,
 * probes, grace periods, the non-root security context, Secret references, labels.
 * Needs no stack.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { factoryConfigSchema, headConfigSchema } from '@barrage/config';
import { factoryEntrypoint } from './support/image';

const root = join(__dirname, '..');
const k8s = join(root, 'k8s');
const zones = readdirSync(join(k8s, 'overlays'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'head')
  .map((d) => d.name);
const kustomizations = ['base', 'overlays/head', ...zones.map((z) => `overlays/${z}`)];

// ---- rendering -----------------------------------------------------------------------

interface Renderer { command: string; args: string[]; version: string }

/** `kustomize build` or `kubectl kustomize`, installed from Debian's packages when possible (k8s/ensure-kustomize.mjs). */
function findRenderer(): Renderer | { error: string } {
  const r = spawnSync(process.execPath, [join(k8s, 'ensure-kustomize.mjs')], { encoding: 'utf8', timeout: 20 * 60_000 });
  if (r.status !== 0) return { error: `k8s/ensure-kustomize.mjs failed: ${r.stderr || r.error?.message}` };
  return JSON.parse(r.stdout);
}

const renderer = findRenderer();

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function render(dir: string): Obj[] {
  if ('error' in renderer) throw new Error(renderer.error);
  const r = spawnSync(renderer.command, [...renderer.args, join(k8s, dir)], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`${renderer.command} ${renderer.args.join(' ')} k8s/${dir} failed: ${r.stderr || r.error?.message}`);
  return parseAllDocuments(r.stdout).map((d) => {
    if (d.errors.length) throw new Error(`k8s/${dir}: ${d.errors[0].message}`);
    return d.toJS() as Obj;
  });
}

const rendered = new Map(kustomizations.map((dir) => [dir, render(dir)]));

// ---- schema validation ---------------------------------------------------------------

/** kubernetes-models has one module per API version and kind: `kubernetes-models/apps/v1/Deployment`. */
function validate(obj: Obj): void {
  let model: new (data: Obj) => { validate(): void };
  try {
    model = require(`kubernetes-models/${obj.apiVersion}/${obj.kind}`)[obj.kind];
  } catch {
    throw new Error(`no Kubernetes schema for ${obj.apiVersion} ${obj.kind}`);
  }
  new model(obj).validate();
}

// ---- helpers over the rendered objects --------------------------------------------

const ofKind = (objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind);
const component = (objs: Obj[], kind: string, name: 'head' | 'factory') =>
  ofKind(objs, kind).filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === name);
const one = <T>(items: T[], what: string): T => {
  if (items.length !== 1) throw new Error(`expected one ${what}, found ${items.length}`);
  return items[0];
};
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** The environment a container gets from its ConfigMaps (resolved in the same render). */
function configOf(objs: Obj[], container: Obj): Record<string, string> {
  const maps = (container.envFrom ?? []).filter((e: Obj) => e.configMapRef).map((e: Obj) => e.configMapRef.name as string);
  expect(maps.length).toBeGreaterThan(0);
  return Object.assign({}, ...maps.map((name: string) => one(ofKind(objs, 'ConfigMap').filter((c) => c.metadata.name === name), `ConfigMap ${name}`).data));
}

function secretRef(container: Obj, name: string): Obj | undefined {
  return container.env?.find((e: Obj) => e.name === name)?.valueFrom?.secretKeyRef;
}

const REQUIRED_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/component', 'app.kubernetes.io/part-of', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by'];
/** Variables Node itself reads, beside the apps' schemas. */
const NODE_VARIABLES = ['NODE_ENV', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS'];

// ---- tests ------------------------------------------------------------------------------

it('renders with a real kustomize', () => {
  expect(renderer).toEqual({ command: expect.any(String), args: expect.any(Array), version: expect.stringMatching(/kustomize v5\./) });
  console.log(`rendered with ${'version' in renderer ? renderer.version : ''}`);
  expect(zones).toEqual(expect.arrayContaining(['eu-west-1', 'us-east-1', 'ap-southeast-1']));
});

describe.each(kustomizations)('k8s/%s', (dir) => {
  const objs = rendered.get(dir)!;

  it('every object is valid against the Kubernetes schemas', () => {
    expect(objs.length).toBeGreaterThan(0);
    for (const obj of objs) expect(() => validate(obj)).not.toThrow();
  });

  it('carries no Secret values and no autoscaler', () => {
    expect(ofKind(objs, 'Secret')).toEqual([]);
    expect(ofKind(objs, 'HorizontalPodAutoscaler')).toEqual([]);
  });

  it('labels every object with the recommended labels, and selectors match their pods', () => {
    for (const obj of objs) for (const label of REQUIRED_LABELS) expect([obj.kind, obj.metadata.name, label, obj.metadata.labels?.[label]]).toEqual([obj.kind, obj.metadata.name, label, expect.any(String)]);
    for (const d of ofKind(objs, 'Deployment')) {
      const pod = d.spec.template.metadata.labels;
      expect(selects(d.spec.selector.matchLabels, pod)).toBe(true);
      for (const label of REQUIRED_LABELS) expect(pod[label]).toEqual(expect.any(String));
    }
  });

  it('runs every container as non-root, read-only, without capabilities, within resource limits', () => {
    const deployments = ofKind(objs, 'Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      // The image's USER is a name (`node`); the kubelet can only verify a numeric uid.
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of pod.containers) {
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(c.resources).toMatchObject({ requests: { cpu: expect.anything(), memory: expect.anything() }, limits: { cpu: expect.anything(), memory: expect.anything() } });
        for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect(c[probe]?.httpGet?.path).toBe('/health');
      }
    }
  });

  it('every ConfigMap and Secret variable is one the app reads (libs/config)', () => {
    for (const d of ofKind(objs, 'Deployment')) {
      const role = d.metadata.labels['app.kubernetes.io/component'];
      const schema = role === 'head' ? headConfigSchema : factoryConfigSchema;
      const known = [...Object.keys(schema.shape), ...NODE_VARIABLES];
      const c = one(d.spec.template.spec.containers as Obj[], `container of ${d.metadata.name}`);
      const config = configOf(objs, c);
      for (const name of [...Object.keys(config), ...c.env.map((e: Obj) => e.name)]) expect([role, name, known.includes(name)]).toEqual([role, name, true]);
      // And the values pass the app's own validation (the Secret's URLs stand in as placeholders).
      const parsed = schema.safeParse({ ...config, DATABASE_URL: 'postgresql://u:p@postgres:5432/barrage', REDIS_URL: 'rediss://u:p@redis:6380' });
      expect(parsed.error?.issues ?? []).toEqual([]);
    }
  });
});

describe.each(['base', ...zones.map((z) => `overlays/${z}`)])('the factory of k8s/%s', (dir) => {
  it('takes REDIS_URL from the Secret, never Postgres, has a grace longer than its shutdown and a disruption budget', () => {
    const objs = rendered.get(dir)!;
    const d = one(component(objs, 'Deployment', 'factory'), 'factory Deployment');
    const pod = d.spec.template.spec;
    const c = one(pod.containers as Obj[], 'factory container');
    expect(c.args).toEqual(['factory']); // zone and capacity come from the ConfigMap only
    // tini stays PID 1 (it hands SIGTERM on); node collects garbage on the event loop's thread
    expect(c.command).toEqual(factoryEntrypoint());
    expect(c.command).toEqual(['/usr/bin/tini', '--', 'node', '--single-threaded-gc', 'apps/cli/dist/main.js']);
    expect(secretRef(c, 'REDIS_URL')).toEqual({ name: 'barrage-secrets', key: 'REDIS_URL' });
    expect(secretRef(c, 'DATABASE_URL')).toBeUndefined();
    const config = factoryConfigSchema.parse({ ...configOf(objs, c), REDIS_URL: 'redis://placeholder' });
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(config.SHUTDOWN_GRACE_MS);
    // The heap growth measured with the single-threaded GC (bench/README.md, 2026-12-06)
    expect(config.HEAP_GROWTH_PERCENT).toBe(10);
    // The probes reach the factory's own /health server.
    expect(config.METRICS_PORT).toBeGreaterThan(0);
    const port = one(c.ports.filter((p: Obj) => p.name === c.livenessProbe.httpGet.port), 'probe port').containerPort;
    expect(port).toBe(config.METRICS_PORT);
    const budgets = ofKind(objs, 'PodDisruptionBudget').filter((p) => selects(p.spec.selector.matchLabels, d.spec.template.metadata.labels));
    expect(one(budgets, `PodDisruptionBudget of ${d.metadata.name}`).spec).toMatchObject({ maxUnavailable: expect.any(Number) });
  });
});

describe.each(['base', 'overlays/head'])('the head of k8s/%s', (dir) => {
  it('has a Service on 8400, probes on /health of that port, both URLs from the Secret', () => {
    const objs = rendered.get(dir)!;
    const d = one(component(objs, 'Deployment', 'head'), 'head Deployment');
    const c = one(d.spec.template.spec.containers as Obj[], 'head container');
    const config = headConfigSchema.parse({ ...configOf(objs, c), DATABASE_URL: 'postgresql://placeholder', REDIS_URL: 'redis://placeholder' });
    expect(config.PORT).toBe(8400);
    const http = one(c.ports.filter((p: Obj) => p.containerPort === 8400), 'head port 8400');
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) expect([http.name, 8400]).toContain(c[probe].httpGet.port);
    expect(secretRef(c, 'DATABASE_URL')).toEqual({ name: 'barrage-secrets', key: 'DATABASE_URL' });
    expect(secretRef(c, 'REDIS_URL')).toEqual({ name: 'barrage-secrets', key: 'REDIS_URL' });
    // Keys added later (API and encryption keys) reach the head without a manifest change.
    expect(c.envFrom).toContainEqual({ secretRef: { name: 'barrage-secrets', optional: true } });
    const service = one(component(objs, 'Service', 'head'), 'head Service');
    expect(selects(service.spec.selector, d.spec.template.metadata.labels)).toBe(true);
    expect(service.spec.ports).toContainEqual(expect.objectContaining({ port: 8400, targetPort: http.name }));
    // Out of the Service's endpoints before Nest drains, within the grace period.
    const drain = c.lifecycle.preStop.sleep.seconds as number;
    expect(drain).toBeGreaterThan(0);
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(drain);
  });
});

describe.each(zones)('k8s/overlays/%s', (zone) => {
  const objs = rendered.get(`overlays/${zone}`)!;

  it("holds factories only, whose zone is the folder's name, with their replicas and capacity", () => {
    expect(component(objs, 'Deployment', 'head')).toEqual([]);
    expect(ofKind(objs, 'Service')).toEqual([]);
    const d = one(component(objs, 'Deployment', 'factory'), 'factory Deployment');
    const config = factoryConfigSchema.parse({ ...configOf(objs, d.spec.template.spec.containers[0]), REDIS_URL: 'redis://placeholder' });
    expect(config.ZONE).toBe(zone);
    expect(config.CAPACITY).toBeGreaterThan(0);
    expect(d.spec.replicas).toBeGreaterThanOrEqual(1);
    expect(objs.every((o) => o.metadata.namespace === 'barrage')).toBe(true);
  });
});

it('zones and the head can share one cluster: no two objects share a name, no selector spans two overlays', () => {
  const overlays = ['overlays/head', ...zones.map((z) => `overlays/${z}`)].map((dir) => rendered.get(dir)!);
  const names = overlays.flat().map((o) => `${o.kind}/${o.metadata.name}`);
  expect(new Set(names).size).toBe(names.length);
  for (const [i, objs] of overlays.entries()) {
    for (const selector of [...ofKind(objs, 'PodDisruptionBudget'), ...ofKind(objs, 'Deployment')].map((o) => o.spec.selector.matchLabels)) {
      for (const [j, others] of overlays.entries()) {
        if (i === j) continue;
        for (const d of ofKind(others, 'Deployment')) expect(selects(selector, d.spec.template.metadata.labels)).toBe(false);
      }
    }
  }
});

it('the schema validation is live: it rejects a broken Deployment', () => {
  const d = structuredClone(one(component(rendered.get('overlays/head')!, 'Deployment', 'head'), 'head Deployment'));
  d.spec.replicas = 'two';
  expect(() => validate(d)).toThrow(/replicas/);
  delete d.spec.replicas;
  delete d.spec.template.spec.containers[0].name;
  expect(() => validate(d)).toThrow(/name/);
});
