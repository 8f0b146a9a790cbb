import { z } from 'zod';
import { parse as parseCsv } from 'csv-parse/sync';
import { compile as compileJsonPath } from 'json-p3';
import { nameSchema } from './names.js';
import { templateProblems } from './templates.js';

const methodSchema = z
  .string()
  .transform((m) => m.toUpperCase())
  .pipe(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']));

const bodySchema = z.union([
  z.strictObject({ json: z.unknown() }),
  z.strictObject({ text: z.string() }),
  z.strictObject({ form: z.record(z.string(), z.string()) }),
]);

/** A JSONPath expression (RFC 9535), checked at save time with the library that runs it. */
const jsonPathSchema = z
  .string()
  .min(1)
  .max(1000)
  .superRefine((path, ctx) => {
    const problem = jsonPathProblem(path);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A regular expression (JavaScript syntax), checked at save time. */
const regexSchema = z
  .string()
  .min(1)
  .max(1000)
  .superRefine((source, ctx) => {
    try {
      new RegExp(source);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${(err as Error).message}` });
    }
  });

/**
 * What a streamed step's checks and extractions read (docs/api.md#streamed-responses):
 * `body` the whole body (for a stream: the concatenated event data), `lastEvent` the data
 * of the last event only.
 */
const sourceSchema = z.enum(['body', 'lastEvent']).optional();
const checkName = z.string().min(1).max(200).optional();

/** A check on a response; a failed check marks the step failed, counted by the check's name. */
export const checkSchema = z.union([
  z.strictObject({ status: z.array(z.number().int().min(100).max(599)).min(1), name: checkName }),
  z.strictObject({ maxLatencyMs: z.number().min(1).max(600_000), name: checkName }),
  z.strictObject({ bodyContains: z.string(), name: checkName, on: sourceSchema }),
  z.strictObject({ bodyMatches: regexSchema, name: checkName, on: sourceSchema }),
  /** Without a condition, the path must find a value (`exists: true`). */
  z
    .strictObject({
      jsonPath: jsonPathSchema,
      exists: z.boolean().optional(),
      equals: z.unknown().optional(),
      matches: regexSchema.optional(),
      in: z.array(z.unknown()).min(1).max(1000).optional(),
      name: checkName,
      on: sourceSchema,
    })
    .refine((c) => [c.exists, c.equals, c.matches, c.in].filter((v) => v !== undefined).length <= 1, 'give at most one of exists, equals, matches, in'),
  z
    .strictObject({ header: z.string().min(1).max(200), exists: z.boolean().optional(), equals: z.string().optional(), matches: regexSchema.optional(), name: checkName })
    .refine((c) => [c.exists, c.equals, c.matches].filter((v) => v !== undefined).length <= 1, 'give at most one of exists, equals, matches'),
]);
export type Check = z.output<typeof checkSchema>;

/**
 * Where a value extracted from a response comes from: the JSON body by JSONPath, a header,
 * the body by a regular expression (its first capture group, else the whole match), or the
 * status code. Extracted values feed the later steps of the same iteration as `{{name}}`.
 */
export const extractionSchema = z.union([
  z.strictObject({ jsonPath: jsonPathSchema, on: sourceSchema }),
  z.strictObject({ header: z.string().min(1).max(200) }),
  z.strictObject({ regex: regexSchema, on: sourceSchema }),
  z.strictObject({ status: z.literal(true) }),
]);
export type Extraction = z.output<typeof extractionSchema>;

/** A name a template can use: `{{name}}`. */
const variableName = z.string().regex(/^[A-Za-z_][\w.-]{0,99}$/, 'must be 1-100 letters, digits, "_", "." or "-", starting with a letter or "_"');

/** At most an hour between two steps. */
const thinkMs = z.number().min(0).max(3_600_000);
const thinkTimeSchema = z.union([thinkMs, z.strictObject({ min: thinkMs, max: thinkMs }).refine((t) => t.max >= t.min, 'max must be >= min')]);

export const stepSchema = z.strictObject({
  name: nameSchema,
  method: methodSchema.default('GET'),
  url: z.string().min(1).max(8192).refine((u) => /^https?:\/\//.test(u) || u.startsWith('{{'), 'must be an http:// or https:// URL (templates allowed)'),
  headers: z.record(z.string(), z.string()).default({}),
  body: bodySchema.optional(),
  checks: z.array(checkSchema).max(50).default([]),
  extract: z.record(variableName, extractionSchema).default({}),
  /**
   * Read the response as it arrives: `sse` parses Server-Sent Events, `chunked` counts body
   * chunks; both record the time to the first event (or byte) beside the latency.
   */
  stream: z.enum(['sse', 'chunked']).optional(),
  /** With `stream: "sse"`: a JSONPath into each event's JSON data whose numbers are summed as token counts. */
  tokenUsagePath: jsonPathSchema.optional(),
  timeoutMs: z.number().int().positive().max(600_000).default(30_000),
  thinkTimeMs: thinkTimeSchema.optional(),
  stopOnFailure: z.boolean().default(false),
});
export type Step = z.output<typeof stepSchema>;

/** Most CSV text a scenario may carry (bytes) and most data rows, inline or from CSV. */
export const MAX_CSV_BYTES = 1_048_576;
export const MAX_DATA_ROWS = 100_000;

/**
 * Data rows, given inline or as CSV text whose first line names the columns (parsed with
 * csv-parse: quotes, escaped quotes, CRLF). Stored as rows either way.
 */
const dataSchema = z
  .strictObject({
    mode: z.enum(['sequential', 'random', 'unique']).default('sequential'),
    rows: z.array(z.record(z.string(), z.string())).min(1).max(MAX_DATA_ROWS).optional(),
    csv: z.string().min(1).max(MAX_CSV_BYTES).optional(),
  })
  .transform((d, ctx) => {
    if ((d.rows === undefined) === (d.csv === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of rows or csv' });
      return z.NEVER;
    }
    if (d.rows) return { mode: d.mode, rows: d.rows };
    const parsed = parseCsvRows(d.csv!);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', path: ['csv'], message: parsed });
      return z.NEVER;
    }
    return { mode: d.mode, rows: parsed };
  });

/** CSV text to rows, or what is wrong with it. */
export function parseCsvRows(text: string): Record<string, string>[] | string {
  let records: Record<string, string>[];
  try {
    records = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true, max_record_size: 65_536 }) as Record<string, string>[];
  } catch (err) {
    return `not valid CSV: ${(err as Error).message}`;
  }
  if (records.length === 0) return 'CSV has a header line but no rows';
  if (records.length > MAX_DATA_ROWS) return `CSV has ${records.length} rows; at most ${MAX_DATA_ROWS}`;
  return records;
}

/** A JSONPath's syntax error, or null. */
export function jsonPathProblem(path: string): string | null {
  try {
    compileJsonPath(path);
    return null;
  } catch (err) {
    return `not a valid JSONPath: ${(err as Error).message.split('\n')[0]}`;
  }
}

export const scenarioSchema = z
  .strictObject({
    name: nameSchema,
    description: z.string().max(2000).default(''),
    variables: z.record(z.string(), z.string()).default({}),
    data: dataSchema.optional(),
    /**
     * Values referenced as `{{secret.name}}`; never returned by the API (masked). Encryption
     * at rest comes with the security work (issue 12).
     */
    secrets: z.record(variableName, z.string().max(8192)).default({}),
    /** Closed profiles other than STAGE run each minion once unless loop is set. */
    loop: z.boolean().default(false),
    steps: z.array(stepSchema).min(1).max(100),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.steps.forEach((step, i) => {
      if (seen.has(step.name)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'name'], message: `duplicate step name "${step.name}"` });
      seen.add(step.name);
      // A URL that fails its own field check (scheme) is reported there, once.
      const problem = typeof step.url === 'string' && (/^https?:\/\//.test(step.url) || step.url.startsWith('{{')) ? urlProblem(step.url, s.variables ?? {}) : null;
      if (problem) ctx.addIssue({ code: 'custom', path: ['steps', i, 'url'], message: problem });
      if (step.tokenUsagePath !== undefined && step.stream !== 'sse') ctx.addIssue({ code: 'custom', path: ['steps', i, 'tokenUsagePath'], message: 'needs "stream": "sse"' });
      const readsLastEvent = [...step.checks, ...Object.values(step.extract)].some((c) => 'on' in c && c.on === 'lastEvent');
      if (readsLastEvent && step.stream !== 'sse') ctx.addIssue({ code: 'custom', path: ['steps', i, 'stream'], message: '"on": "lastEvent" needs "stream": "sse"' });
    });
    for (const issue of templateProblems(s)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });

/**
 * A step URL is checked when the scenario is saved as far as it can be known then: with the
 * scenario's variables substituted, a URL that holds no template any more must parse as an
 * http(s) URL with a host. One that still holds a template (a data row, an extracted value,
 * a campaign variable) is checked when the factory resolves it (a counted step failure).
 */
export function urlProblem(url: string, variables: Record<string, string>): string | null {
  const resolved = url.replace(/\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g, (whole, name: string) => variables[name] ?? whole);
  if (resolved.includes('{{')) return null;
  let parsed: URL;
  try {
    parsed = new URL(resolved);
  } catch {
    return `"${resolved.slice(0, 200)}" is not a valid URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `"${resolved.slice(0, 200)}" must use http:// or https://`;
  if (!parsed.hostname) return `"${resolved.slice(0, 200)}" has no host`;
  return null;
}
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type Scenario = z.output<typeof scenarioSchema>;

/** A stored scenario as the API returns it. */
export interface ScenarioRecord extends Scenario {
  version: number;
  createdAt: string;
}

/** What the API shows in place of a secret's value. */
export const SECRET_MASK = '********';

/** A stored scenario as the API may show it: secret values replaced by SECRET_MASK. */
export function maskSecrets<T extends { secrets?: Record<string, string> }>(s: T): T {
  if (!s.secrets || Object.keys(s.secrets).length === 0) return s;
  return { ...s, secrets: Object.fromEntries(Object.keys(s.secrets).map((k) => [k, SECRET_MASK])) };
}
