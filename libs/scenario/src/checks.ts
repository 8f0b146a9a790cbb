import { isDeepStrictEqual } from 'node:util';
import type { Check, Extraction } from '@barrage/contracts';
import { compile as compileJsonPath, type JSONPathQuery } from 'json-p3';
import { NEEDS_BODY, NEEDS_HEADERS, NOT_JSON, type ResponseData, type Source } from './response.js';

/**
 * Checks and extractions compiled once per chunk (docs/api.md#checks): JSONPath expressions
 * and regular expressions are built here, so a response only runs them.
 */
export interface CompiledCheck {
  /** The name failures are counted by: given, or derived from the check. */
  name: string;
  /** What of the response it reads (NEEDS_HEADERS | NEEDS_BODY), so the rest is never kept. */
  needs: number;
  /** A status check: without one, 4xx and 5xx answers are failures by themselves. */
  isStatus: boolean;
  pass(r: ResponseData): boolean;
}

export interface CompiledExtraction {
  name: string;
  needs: number;
  /** The value, or undefined when the response does not have it. */
  take(r: ResponseData): string | undefined;
}

/** The first value a JSONPath finds in a source, or undefined (also when the source is not JSON). */
function firstValue(path: JSONPathQuery, r: ResponseData, source: Source): { found: boolean; value: unknown } {
  const json = r.jsonOf(source);
  if (json === NOT_JSON) return { found: false, value: undefined };
  const nodes = path.query(json as never).nodes;
  return nodes.length === 0 ? { found: false, value: undefined } : { found: true, value: nodes[0]!.value };
}

/** A JSON value as a template sees it: strings as they are, the rest as JSON text. */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function describe(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** A condition on a found value: exists (default), equals, matches or in. */
function condition(c: { exists?: boolean; equals?: unknown; matches?: string; in?: unknown[] }): { label: string; test(found: boolean, value: unknown): boolean } {
  if (c.equals !== undefined) return { label: `== ${describe(c.equals)}`, test: (f, v) => f && isDeepStrictEqual(v, c.equals) };
  if (c.matches !== undefined) {
    const re = new RegExp(c.matches);
    return { label: `~ /${c.matches}/`, test: (f, v) => f && v !== null && typeof v !== 'object' && re.test(String(v)) };
  }
  if (c.in !== undefined) {
    const options = c.in;
    return { label: `in ${describe(options)}`, test: (f, v) => f && options.some((o) => isDeepStrictEqual(v, o)) };
  }
  if (c.exists === false) return { label: 'absent', test: (f) => !f };
  return { label: 'exists', test: (f) => f };
}

export function compileCheck(c: Check): CompiledCheck {
  if ('status' in c) {
    const ok = c.status;
    return { name: c.name ?? 'status', needs: 0, isStatus: true, pass: (r) => ok.includes(r.status) };
  }
  if ('maxLatencyMs' in c) {
    const max = c.maxLatencyMs;
    return { name: c.name ?? 'maxLatencyMs', needs: 0, isStatus: false, pass: (r) => r.latencyMs <= max };
  }
  if ('bodyContains' in c) {
    const text = c.bodyContains;
    const source = c.on ?? 'body';
    return { name: c.name ?? 'bodyContains', needs: NEEDS_BODY, isStatus: false, pass: (r) => r.textOf(source).includes(text) };
  }
  if ('bodyMatches' in c) {
    const re = new RegExp(c.bodyMatches);
    const source = c.on ?? 'body';
    return { name: c.name ?? `body ~ /${c.bodyMatches}/`, needs: NEEDS_BODY, isStatus: false, pass: (r) => re.test(r.textOf(source)) };
  }
  if ('jsonPath' in c) {
    const path = compileJsonPath(c.jsonPath);
    const source = c.on ?? 'body';
    const cond = condition(c);
    return {
      name: c.name ?? `${c.jsonPath} ${cond.label}`,
      needs: NEEDS_BODY,
      isStatus: false,
      pass: (r) => {
        const { found, value } = firstValue(path, r, source);
        return cond.test(found, value);
      },
    };
  }
  const header = c.header;
  const cond = condition(c);
  return {
    name: c.name ?? `header ${header.toLowerCase()} ${cond.label}`,
    needs: NEEDS_HEADERS,
    isStatus: false,
    pass: (r) => {
      const v = r.header(header);
      return cond.test(v !== undefined, v);
    },
  };
}

export function compileExtraction(name: string, e: Extraction): CompiledExtraction {
  if ('jsonPath' in e) {
    const path = compileJsonPath(e.jsonPath);
    const source = e.on ?? 'body';
    return {
      name,
      needs: NEEDS_BODY,
      take: (r) => {
        const { found, value } = firstValue(path, r, source);
        return found && value !== null ? valueText(value) : undefined;
      },
    };
  }
  if ('header' in e) {
    const header = e.header;
    return { name, needs: NEEDS_HEADERS, take: (r) => r.header(header) };
  }
  if ('regex' in e) {
    const re = new RegExp(e.regex);
    const source = e.on ?? 'body';
    return {
      name,
      needs: NEEDS_BODY,
      take: (r) => {
        const m = re.exec(r.textOf(source));
        return m === null ? undefined : (m[1] ?? m[0]);
      },
    };
  }
  return { name, needs: 0, take: (r) => String(r.status) };
}
