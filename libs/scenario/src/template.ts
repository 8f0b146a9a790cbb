import { randomInt, randomUUID } from 'node:crypto';
import { RANDOM_INT_PATTERN, SECRET_PREFIX, TEMPLATE_PATTERN } from '@barrage/contracts';

/**
 * What a minion's templates can see, in resolution order (docs/api.md#templates): values
 * extracted earlier in the iteration, the data row, campaign variables (they override the
 * scenario's, so one scenario serves several environments), scenario variables; then
 * `{{secret.name}}` and the `$` built-ins.
 */
export interface TemplateScope {
  extracted: Record<string, string> | null;
  row: Record<string, string> | null;
  campaignVars: Record<string, string>;
  scenarioVars: Record<string, string>;
  secrets: Record<string, string>;
  minionId: number;
  iteration: number;
}

type Part = string | ((scope: TemplateScope) => string | undefined);

/** A template compiled once per chunk; `render` is a concatenation, `constant` skips even that. */
export interface Template {
  /** The template's text as written (for failure samples of requests that could not be rendered). */
  source: string;
  constant: string | null;
  names: string[];
  render(scope: TemplateScope): string;
}

export class UnresolvedTemplateError extends Error {
  constructor(readonly variable: string) {
    super(`unresolved template variable {{${variable}}}`);
  }
}

function builtin(name: string): ((scope: TemplateScope) => string) | null {
  if (name === '$minionId') return (s) => String(s.minionId);
  if (name === '$iteration') return (s) => String(s.iteration);
  if (name === '$uuid') return () => randomUUID();
  if (name === '$now') return () => new Date().toISOString();
  const m = RANDOM_INT_PATTERN.exec(name);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    return () => String(randomInt(Math.min(lo, hi), Math.max(lo, hi) + 1));
  }
  return null;
}

function lookup(name: string): (scope: TemplateScope) => string | undefined {
  if (name.startsWith(SECRET_PREFIX)) {
    const secret = name.slice(SECRET_PREFIX.length);
    return (s) => s.secrets[secret];
  }
  return (s) => s.extracted?.[name] ?? s.row?.[name] ?? s.campaignVars[name] ?? s.scenarioVars[name];
}

export function compileTemplate(text: string): Template {
  const parts: Part[] = [];
  const names: string[] = [];
  let last = 0;
  for (const m of text.matchAll(TEMPLATE_PATTERN)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    const name = m[1]!;
    names.push(name);
    parts.push(builtin(name) ?? lookup(name));
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  if (names.length === 0) return { source: text, constant: text, names, render: () => text };
  return {
    source: text,
    constant: null,
    names,
    render(scope) {
      let out = '';
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        if (typeof p === 'string') out += p;
        else {
          const v = p(scope);
          if (v === undefined) throw new UnresolvedTemplateError(names[namesIndex(parts, i)]!);
          out += v;
        }
      }
      return out;
    },
  };
}

/** Index of the i-th part among the variable parts (for the error message only). */
function namesIndex(parts: Part[], i: number): number {
  let n = 0;
  for (let j = 0; j < i; j++) if (typeof parts[j] !== 'string') n++;
  return n;
}
