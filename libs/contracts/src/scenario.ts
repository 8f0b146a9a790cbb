import { z } from 'zod';
import { nameSchema } from './names.js';

const methodSchema = z
  .string()
  .transform((m) => m.toUpperCase())
  .pipe(z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']));

const bodySchema = z.union([
  z.strictObject({ json: z.unknown() }),
  z.strictObject({ text: z.string() }),
  z.strictObject({ form: z.record(z.string(), z.string()) }),
]);

/** A check on a response; a failed check marks the step failed, counted by the check's name. */
export const checkSchema = z.union([
  z.strictObject({ status: z.array(z.number().int().min(100).max(599)).min(1), name: z.string().optional() }),
  z.strictObject({ maxLatencyMs: z.number().min(1).max(600_000), name: z.string().max(200).optional() }),
  z.strictObject({ bodyContains: z.string(), name: z.string().optional() }),
]);
export type Check = z.output<typeof checkSchema>;

/** At most an hour between two steps. */
const thinkMs = z.number().min(0).max(3_600_000);
const thinkTimeSchema = z.union([thinkMs, z.strictObject({ min: thinkMs, max: thinkMs }).refine((t) => t.max >= t.min, 'max must be >= min')]);

export const stepSchema = z.strictObject({
  name: nameSchema,
  method: methodSchema.default('GET'),
  url: z.string().min(1).max(8192).refine((u) => /^https?:\/\//.test(u) || u.startsWith('{{'), 'must be an http:// or https:// URL (templates allowed)'),
  headers: z.record(z.string(), z.string()).default({}),
  body: bodySchema.optional(),
  checks: z.array(checkSchema).default([]),
  timeoutMs: z.number().int().positive().max(600_000).default(30_000),
  thinkTimeMs: thinkTimeSchema.optional(),
  stopOnFailure: z.boolean().default(false),
});
export type Step = z.output<typeof stepSchema>;

export const scenarioSchema = z
  .strictObject({
    name: nameSchema,
    description: z.string().max(2000).default(''),
    variables: z.record(z.string(), z.string()).default({}),
    data: z
      .strictObject({ mode: z.enum(['sequential', 'random']).default('sequential'), rows: z.array(z.record(z.string(), z.string())).min(1) })
      .optional(),
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
    });
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
