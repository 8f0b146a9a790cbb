/**
 * Property-based API fuzzing helpers: fast-check arbitraries derived from the request
 * schemas (through their JSON Schema, `schema.toJSONSchema({ io: 'input' })`), mutations that
 * turn a valid-ish value into a hostile one, query strings, path segments, and a JSON
 * serializer that can write literals JSON.stringify cannot (`1e400`, `-0`, 30-digit integers).
 */
import fc from 'fast-check';

// ---------------------------------------------------------------------------------------------
// Raw JSON literals
// ---------------------------------------------------------------------------------------------

/** A number literal written as is into the JSON text (JSON.parse turns `1e400` into Infinity). */
export class Raw {
  constructor(readonly text: string) {}
  toJSON(): string {
    return `\u0001RAW:${this.text}\u0001`;
  }
}
export const raw = (text: string) => new Raw(text);

/** JSON text of `value`, with `Raw` literals unquoted; undefined stays undefined (no body). */
export function serialize(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text === undefined ? undefined : text.replace(/"\\u0001RAW:([^"\\]*)\\u0001"/g, '$1');
}

// ---------------------------------------------------------------------------------------------
// JSON Schema (as zod 4 writes it) → fast-check
// ---------------------------------------------------------------------------------------------

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

/**
 * Arbitraries replacing the schema-derived one at a path, so values reach past the checks a
 * schema cannot express (a scenario name that exists, a zone with a live factory). Paths are
 * dotted; `*` stands for an array item or a record value, `{key}` for a record's key:
 * `scenarios.{key}`, `scenarios.*.zones`, `steps.*.url`.
 */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

/** How far the "normal" part of a numeric range reaches above its lower bound (plans stay small). */
const NORMAL_SPAN = 2000;

const join = (path: string, part: string) => (path ? `${path}.${part}` : part);

function numberArbitrary(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const exclusiveLow = s.exclusiveMinimum !== undefined;
  const exclusiveHigh = s.exclusiveMaximum !== undefined;
  const low = s.minimum ?? s.exclusiveMinimum ?? -NORMAL_SPAN;
  const high = s.maximum ?? s.exclusiveMaximum ?? NORMAL_SPAN;
  const normalHigh = Math.min(high, Math.max(low, 0) + NORMAL_SPAN);
  // Edges of the schema's own range: values a validator lets through and a planner may choke on.
  const edges = new Set<number>([high]);
  if (!exclusiveLow) edges.add(low);
  if (!exclusiveHigh) edges.add(high);
  if (integer) {
    edges.add(exclusiveLow ? Math.floor(low) + 1 : Math.ceil(low));
  } else {
    if (exclusiveLow) edges.add(low === 0 ? Number.MIN_VALUE : low + Math.abs(low) * Number.EPSILON);
    edges.add(low + 0.5);
  }
  const edgeValues = [...edges].filter((v) => Number.isFinite(v) && v >= low && v <= high && !(exclusiveLow && v === low) && !(exclusiveHigh && v === high));
  const normal = integer
    ? fc.integer({ min: Math.ceil(exclusiveLow ? low + 1 : low), max: Math.floor(Math.max(exclusiveLow ? low + 1 : low, normalHigh)) })
    : fc.oneof(
        // Many "number" fields are counts checked by a refinement: whole numbers mostly.
        { weight: 3, arbitrary: fc.integer({ min: Math.ceil(exclusiveLow ? low + 1 : low), max: Math.floor(Math.max(exclusiveLow ? low + 1 : low, normalHigh)) }) },
        { weight: 1, arbitrary: fc.double({ min: low, max: Math.max(low, normalHigh), minExcluded: exclusiveLow, noNaN: true, noDefaultInfinity: true }) },
      );
  return edgeValues.length ? fc.oneof({ weight: 4, arbitrary: normal }, { weight: 1, arbitrary: fc.constantFrom(...edgeValues) }) : normal;
}

function stringArbitrary(s: JsonSchema): fc.Arbitrary<string> {
  if (s.format === 'date-time')
    return fc.oneof(
      {
        weight: 5,
        arbitrary: fc
          .tuple(fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), fc.constantFrom('Z', '+02:00', '-11:30', '.123Z'))
          .map(([d, zone]) => (zone === '.123Z' ? d.toISOString() : d.toISOString().replace(/\.\d+Z$/, zone))),
      },
      // Valid by the format, odd for a database: year 0, year 9999, nanoseconds, an offset of almost a day.
      { weight: 1, arbitrary: fc.constantFrom('0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999Z', '1969-12-31T23:59:59Z', '2000-02-29T00:00:00+23:59', '1970-01-01T00:00:00-23:59') },
    );
  if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
  const minLength = s.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(s.maxLength ?? 24, minLength + 24));
  const normal = fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ minLength, maxLength, unit: 'grapheme' }) },
  );
  // A string exactly at its bound now and then.
  return s.maxLength !== undefined && s.maxLength <= 20_000
    ? fc.oneof({ weight: 12, arbitrary: normal }, { weight: 1, arbitrary: fc.constant('m'.repeat(s.maxLength)) })
    : normal;
}

/**
 * A fast-check arbitrary for values of the JSON Schema `s`: valid by the schema's own
 * constraints (numbers mostly small, with the range's edges now and then), with `hints`
 * replacing the parts at the paths they name.
 */
export function arbitraryFromSchema(s: JsonSchema, hints: Hints = {}, path = ''): fc.Arbitrary<unknown> {
  const hint = hints[path];
  if (hint) return hint;
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((a) => arbitraryFromSchema(a, hints, path)));
  if (s.allOf?.length) return arbitraryFromSchema(s.allOf[0]!, hints, path);
  const type = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (type.length > 1) return fc.oneof(...type.map((t) => arbitraryFromSchema({ ...s, type: t }, hints, path)));
  switch (type[0]) {
    case 'object': {
      const props = s.properties ?? {};
      const required = new Set(s.required ?? []);
      const fixed = Object.keys(props).length
        ? fc.record(
            Object.fromEntries(Object.entries(props).map(([k, v]) => [k, arbitraryFromSchema(v, hints, join(path, k))])),
            { requiredKeys: [...required].filter((k) => k in props) },
          )
        : fc.constant({});
      if (typeof s.additionalProperties !== 'object') return fixed;
      const keys = hints[join(path, '{key}')] ?? arbitraryFromSchema(s.propertyNames ?? { type: 'string' }, hints, join(path, '{key}'));
      const values = arbitraryFromSchema(s.additionalProperties, hints, join(path, '*'));
      // Mostly non-empty: a map of scenarios or zones must not be empty (a refinement JSON Schema cannot say).
      const record = fc.oneof(
        { weight: 1, arbitrary: fc.constant({}) },
        { weight: 5, arbitrary: fc.dictionary(keys as fc.Arbitrary<string>, values, { minKeys: 1, maxKeys: 3 }) },
      );
      return fc.tuple(fixed, record).map(([a, b]) => ({ ...b, ...(a as object) }));
    }
    case 'array': {
      const minLength = s.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(s.maxItems ?? minLength + 3, minLength + 3));
      return fc.array(arbitraryFromSchema(s.items ?? {}, hints, join(path, '*')), { minLength, maxLength });
    }
    case 'string':
      return stringArbitrary(s);
    case 'integer':
      return numberArbitrary(s, true);
    case 'number':
      return numberArbitrary(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      // `{}` (z.unknown()): any small JSON value.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------------

export const EXTREME_NUMBERS: unknown[] = [
  1e308, -1e308, 5e-324, -5e-324, raw('-0'), -0.0, 2 ** 53 + 1, raw('9007199254740993'), -(2 ** 53 + 1), 99999999999, -99999999999,
  2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 63, 2 ** 64, 0, -1, 0.5, 1.0000001, 1e-7, 7 * 24 * 3_600_000 + 1, 10_000_001,
  raw('1e400'), raw('-1e400'), raw('1E+2'), raw('0.0000000000000000000000000000001'), raw('123456789012345678901234567890'),
  'NaN', 'Infinity', '-Infinity', '1e308', '-0', '99999999999', '0x10', '1_000', ' 1 ', '1e3',
];

export const ODD_STRINGS: string[] = [
  '\u0000', 'a\u0000b', '%00', '\uD800', 'x\uDFFFy', '\uDBFF\uDBFF', 'x'.repeat(10_000), '\u202Eevil\u202C', 'مرحبا بالعالم', 'שלום',
  '👩‍👩‍👧‍👦🔥💥', 'e\u0301', '\uFEFFbom', '\u200B', '../../../etc/passwd', '..', '.', '%2e%2e%2f', "' OR '1'='1", `'; DROP TABLE "Campaign"; --`,
  '"', '\\', '\\u0000', '{{', '{{base}}', '{{secret.x}}', '{{$randomInt(1,99999999999)}}', '}}{{', '<script>alert(1)</script>',
  '\r\nX-Injected: 1', '${jndi:ldap://127.0.0.1/x}', '__proto__', 'constructor', 'null', 'undefined', 'true', '', ' ', '\t\n\r', '*', '?',
  '%', '%zz', 'NaN', 'Infinity', '-Infinity', '1e308', '-0', 'p95 < 1e308', 'p95 <', 'p99 < -1', 'errorRate < NaN', 'http://127.0.0.1:1/',
  'HTTP://127.0.0.1', 'https://', 'P1DT', 'PT-1S', 'P99999999999D', 'PT1e308S', 'creation:asc', 'creation:desc:asc', 'CREATION:ASC',
  '\u0085', '\u2028', '\uFFFF', '\u{10FFFF}', 'a'.repeat(101), 'a'.repeat(201), 'a'.repeat(2001), '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z',
];

export const ODD_KEYS: string[] = ['extra', '__proto__', 'constructor', 'prototype', 'toString', '', ' ', '\u0000', '$where', 'a'.repeat(1000), '*', 'a.b', '🔥', '\uD800'];

const WRONG_TYPES: unknown[] = [null, true, false, 0, 1, '1', 'true', [], {}, [1], { a: 1 }, [null], ['x']];

/** An object or array nested `depth` levels deep. */
export function deepNest(kind: 'array' | 'object', depth = 500): unknown {
  let v: unknown = kind === 'array' ? [] : {};
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}

export const oddString = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...ODD_STRINGS) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
  );

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

type Path = (string | number)[];
export type Mutation =
  | { kind: 'replace'; pick: number; value: unknown }
  | { kind: 'stringify'; pick: number }
  | { kind: 'wrap'; pick: number; how: 'array' | 'object' }
  | { kind: 'delete'; pick: number }
  | { kind: 'extraKey'; pick: number; key: string; value: unknown }
  | { kind: 'grow'; pick: number; length: number };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Raw);

function setOwn(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** A copy that keeps `Raw` literals and `__proto__` keys as they are. */
export function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (isObject(v)) {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v)) setOwn(o, k, clone(v[k]));
    return o;
  }
  return v;
}

function pathsOf(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (prefix.length >= 16) return out;
  if (Array.isArray(v)) v.slice(0, 50).forEach((x, i) => pathsOf(x, [...prefix, i], out));
  else if (isObject(v)) for (const k of Object.keys(v)) pathsOf(v[k], [...prefix, k], out);
  return out;
}

function getAt(v: unknown, p: Path): unknown {
  return p.reduce<unknown>((node, part) => (node as any)?.[part], v);
}

/** Sets (or with `remove`, deletes) the node at `p`; returns the new root. */
function setAt(root: unknown, p: Path, value: unknown, remove = false): unknown {
  if (!p.length) return remove ? undefined : value;
  const parent = getAt(root, p.slice(0, -1));
  const last = p[p.length - 1]!;
  if (Array.isArray(parent)) {
    if (remove) parent.splice(last as number, 1);
    else parent[last as number] = value;
  } else if (isObject(parent)) {
    if (remove) delete parent[last as string];
    else setOwn(parent, last as string, value);
  }
  return root;
}

/** The node at `p`, or its nearest ancestor, that passes `test`. */
function nearest(root: unknown, p: Path, test: (v: unknown) => boolean): Path | null {
  for (let n = p.length; n >= 0; n--) if (test(getAt(root, p.slice(0, n)))) return p.slice(0, n);
  return null;
}

export function applyMutation(root: unknown, m: Mutation): unknown {
  const paths = pathsOf(root);
  const p = paths[m.pick % paths.length]!;
  switch (m.kind) {
    case 'replace':
      return setAt(root, p, clone(m.value));
    case 'stringify': {
      const v = getAt(root, p);
      return setAt(root, p, typeof v === 'string' ? Number(v) || 0 : (serialize(v) ?? 'undefined'));
    }
    case 'wrap': {
      const v = getAt(root, p);
      return setAt(root, p, m.how === 'array' ? [v] : { value: v });
    }
    case 'delete':
      return setAt(root, p, undefined, true);
    case 'extraKey': {
      const at = nearest(root, p, isObject);
      if (!at) return root;
      setOwn(getAt(root, at) as Record<string, unknown>, m.key, clone(m.value));
      return root;
    }
    case 'grow': {
      const at = nearest(root, p, (v) => Array.isArray(v) && v.length > 0);
      if (!at) return root;
      const arr = getAt(root, at) as unknown[];
      return setAt(root, at, Array.from({ length: m.length }, (_, i) => clone(arr[i % arr.length])));
    }
  }
}

/** A replacement for any node: an extreme number, an odd string, a wrong type, deep nesting, or random JSON. */
export const hostileValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...EXTREME_NUMBERS) },
    { weight: 4, arbitrary: oddString() },
    { weight: 3, arbitrary: fc.constantFrom(...WRONG_TYPES) },
    { weight: 1, arbitrary: fc.constantFrom<'array' | 'object'>('array', 'object').map((k) => deepNest(k)) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );

export const mutation = (): fc.Arbitrary<Mutation> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), value: hostileValue() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('stringify' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('wrap' as const), pick: fc.nat(), how: fc.constantFrom<'array' | 'object'>('array', 'object') }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('extraKey' as const),
        pick: fc.nat(),
        key: fc.oneof(fc.constantFrom(...ODD_KEYS), fc.string({ maxLength: 8 })),
        value: fc.oneof(fc.jsonValue({ maxDepth: 1 }), hostileValue()),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('grow' as const), pick: fc.nat(), length: fc.constantFrom(2, 51, 101, 1001) }) },
  );

/**
 * A value of `base`, then 0-3 mutations (one value in four is left as generated, so the
 * success paths run too). `fix` runs last on every value (e.g. to keep fuzzed campaigns from
 * starting on their own).
 */
export function mutated(base: fc.Arbitrary<unknown>, fix: (v: unknown) => unknown = (v) => v): fc.Arbitrary<unknown> {
  const ops = fc.oneof({ weight: 1, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 3, arbitrary: fc.array(mutation(), { minLength: 1, maxLength: 3 }) });
  return fc.tuple(base, ops).map(([v, list]) => fix(list.reduce<unknown>((acc, m) => applyMutation(acc, m), clone(v))));
}

// ---------------------------------------------------------------------------------------------
// URLs: path segments and query strings
// ---------------------------------------------------------------------------------------------

/** encodeURIComponent that also writes lone surrogates (as their invalid 3-byte UTF-8 form) instead of throwing. */
export function encode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const isHigh = c >= 0xd800 && c <= 0xdbff;
    const isLow = c >= 0xdc00 && c <= 0xdfff;
    if (isHigh && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (isHigh || isLow) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(s[i]!);
  }
  return out;
}

/** Already-encoded path segments that are odd in themselves. */
export const ODD_SEGMENTS: string[] = [
  '%00', 'a%00b', '%ED%A0%80', '%C0%AF', '%C0%80', '%zz', '%', '%25', '%2e%2e', '.', 'a.b', 'a..b', '.hidden', 'name.json', '%2F', 'a%2Fb',
  '%F0%9F%94%A5', '%E2%80%AE', '%EF%BB%BF', '%20', '+', '*', '%2A', '%3F', '%23', 'x'.repeat(10_000), encode("' OR 1=1 --"), encode('"; DROP TABLE x; --'),
  encode('<script>'), '%5C', '~', '-', '_', 'undefined', 'null', 'NaN', '0', '-1', '99999999999', '1e308', 'constructor', '__proto__',
];

/** A path segment: one of `known` (existing keys/names, as they are), an odd segment, or an encoded random string. */
export function segment(known: string[], shaped: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 5, arbitrary: known.length ? fc.constantFrom(...known) : shaped },
    { weight: 2, arbitrary: shaped },
    { weight: 4, arbitrary: fc.constantFrom(...ODD_SEGMENTS) },
    { weight: 2, arbitrary: oddString().map(encode).filter((s) => s.length > 0) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }).map(encode) },
  );
}

/** One query pair; `raw` values are written without encoding. */
export interface QueryPair {
  key: string;
  value: string | null;
  raw?: boolean;
}

const valueAsString = (v: unknown) => (typeof v === 'string' ? v : v instanceof Raw ? v.text : serialize(v) ?? '');

/** Query pairs from a schema-derived object, then mutated: odd values, duplicate or bracketed keys, extra keys, raw escapes. */
export function queryFrom(base: fc.Arbitrary<unknown>): fc.Arbitrary<QueryPair[]> {
  const pairs = base.map((o) => Object.entries((o ?? {}) as Record<string, unknown>).map(([key, v]) => ({ key, value: valueAsString(v) })));
  const op = fc.oneof(
    fc.record({ kind: fc.constant('value' as const), pick: fc.nat(), value: fc.oneof(oddString(), fc.constantFrom(...EXTREME_NUMBERS).map(valueAsString)) }),
    fc.record({ kind: fc.constant('raw' as const), pick: fc.nat(), value: fc.constantFrom('%00', '%zz', '%', '%ED%A0%80', '%C0%80', '+', '%2B', 'a&b', '=', '%3D', 'a;b') }),
    fc.record({ kind: fc.constant('bare' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('dup' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('bracket' as const), pick: fc.nat(), suffix: fc.constantFrom('[]', '[a]', '[0]', '[__proto__]', '.x', '[]=') }),
    fc.record({ kind: fc.constant('extra' as const), key: fc.oneof(fc.constantFrom(...ODD_KEYS), fc.string({ maxLength: 6 })), value: oddString() }),
    fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }),
  );
  const ops = fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 4, arbitrary: fc.array(op, { minLength: 1, maxLength: 3 }) });
  return fc.tuple(pairs, ops).map(([ps, list]) => {
    const out = ps.map((p) => ({ ...p })) as QueryPair[];
    for (const o of list) {
      const i = 'pick' in o && out.length ? o.pick % out.length : -1;
      const target = i >= 0 ? out[i]! : undefined;
      if (o.kind === 'extra') out.push({ key: o.key, value: o.value });
      else if (!target) continue;
      else if (o.kind === 'value') Object.assign(target, { value: o.value, raw: false });
      else if (o.kind === 'raw') Object.assign(target, { value: o.value, raw: true });
      else if (o.kind === 'bare') target.value = null;
      else if (o.kind === 'dup') out.push({ ...target });
      else if (o.kind === 'bracket') target.key += o.suffix;
      else if (o.kind === 'drop') out.splice(i, 1);
    }
    return out;
  });
}

export function queryString(pairs: QueryPair[]): string {
  if (!pairs.length) return '';
  return `?${pairs.map((p) => (p.value === null ? encode(p.key) : `${encode(p.key)}=${p.raw ? p.value : encode(p.value)}`)).join('&')}`;
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/** Why `text` is not the error shape of docs/api.md#errors, or null when it is. */
export function errorShapeProblem(text: string): string | null {
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return 'the body is not JSON';
  }
  const e = body?.error;
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return 'no "error" object';
  if (typeof e.code !== 'string' || !e.code) return 'error.code is not a non-empty string';
  if (typeof e.message !== 'string' || !e.message) return 'error.message is not a non-empty string';
  if ('details' in e) {
    if (!Array.isArray(e.details)) return 'error.details is not an array';
    const bad = e.details.findIndex((d: any) => typeof d !== 'object' || d === null || typeof d.path !== 'string' || typeof d.message !== 'string' || !d.message);
    if (bad >= 0) return `error.details[${bad}] is not { path: string, message: non-empty string }`;
  }
  return null;
}

/** `s` cut to `n` characters, with control characters made visible. */
export function show(s: string | undefined, n = 400): string {
  if (s === undefined) return '(none)';
  // Long runs of one character (10k-character strings) are written `x⟨×10000⟩`, so what follows them shows.
  const squeezed = s.replace(/([\s\S])\1{19,}/g, (run, c: string) => `${c}⟨×${run.length}⟩`);
  const visible = JSON.stringify(squeezed.length > n ? squeezed.slice(0, n) : squeezed).slice(1, -1);
  return squeezed.length > n ? `${visible}… (${s.length} chars)` : visible;
}
