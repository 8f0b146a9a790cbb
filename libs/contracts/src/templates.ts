/**
 * The template language's names (docs/api.md#templates), known to both the schema (names
 * that can never resolve are refused at save time) and the factory's template compiler.
 */

/** `{{ name }}`: the name is everything between the braces, trimmed. */
export const TEMPLATE_PATTERN = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** `{{$name}}` built-ins; `$randomInt(lo,hi)` takes two integers. */
export const BUILTIN_NAMES = ['$minionId', '$iteration', '$uuid', '$now'] as const;
export const RANDOM_INT_PATTERN = /^\$randomInt\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)$/;
/** `{{secret.name}}` reads the scenario's secrets. */
export const SECRET_PREFIX = 'secret.';

export function isBuiltin(name: string): boolean {
  return (BUILTIN_NAMES as readonly string[]).includes(name) || RANDOM_INT_PATTERN.test(name);
}

/** Every template name in a text, in order. */
export function templateNames(text: string): string[] {
  return [...text.matchAll(TEMPLATE_PATTERN)].map((m) => m[1]!);
}

/** The part of a scenario that templates read (a structural type: contracts' Scenario fits). */
interface TemplatedScenario {
  variables?: Record<string, string>;
  secrets?: Record<string, string>;
  data?: { rows: Record<string, string>[] } | undefined;
  steps: { url: string; headers?: Record<string, string>; body?: { json: unknown } | { text: string } | { form: Record<string, string> } | undefined; extract?: Record<string, unknown> }[];
}

export interface TemplateProblem {
  path: (string | number)[];
  message: string;
}

function stepTexts(step: TemplatedScenario['steps'][number]): { path: (string | number)[]; text: string }[] {
  const texts: { path: (string | number)[]; text: string }[] = [{ path: ['url'], text: step.url }];
  for (const [name, value] of Object.entries(step.headers ?? {})) texts.push({ path: ['headers', name], text: value });
  const b = step.body;
  if (b && 'json' in b) texts.push({ path: ['body', 'json'], text: JSON.stringify(b.json) ?? '' });
  else if (b && 'text' in b) texts.push({ path: ['body', 'text'], text: b.text });
  else if (b && 'form' in b) for (const [k, v] of Object.entries(b.form)) texts.push({ path: ['body', 'form', k], text: v });
  return texts;
}

/**
 * Names that cannot resolve, as far as can be known: with `campaignVariables` undefined (a
 * scenario saved on its own) only unknown built-ins and secrets are certain; with them (a
 * campaign being created) every name must be an earlier step's extraction, a data column,
 * a campaign or scenario variable, a secret or a built-in.
 */
export function templateProblems(s: TemplatedScenario, campaignVariables?: Record<string, string>): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const columns = new Set(s.data?.rows.flatMap((r) => Object.keys(r)) ?? []);
  const extracted = new Set<string>();
  s.steps.forEach((step, i) => {
    for (const { path, text } of stepTexts(step)) {
      for (const name of templateNames(text)) {
        const where = ['steps', i, ...path];
        if (name.startsWith('$')) {
          if (!isBuiltin(name)) problems.push({ path: where, message: `unknown built-in {{${name}}} (known: ${BUILTIN_NAMES.join(', ')}, $randomInt(lo,hi))` });
        } else if (name.startsWith(SECRET_PREFIX)) {
          if (!(name.slice(SECRET_PREFIX.length) in (s.secrets ?? {}))) problems.push({ path: where, message: `{{${name}}} names no secret of this scenario` });
        } else if (campaignVariables !== undefined) {
          const known = extracted.has(name) || columns.has(name) || name in campaignVariables || name in (s.variables ?? {});
          if (!known) problems.push({ path: where, message: `{{${name}}} is not extracted by an earlier step, a data column, or a scenario or campaign variable` });
        }
      }
    }
    for (const name of Object.keys(step.extract ?? {})) extracted.add(name);
  });
  return problems;
}
