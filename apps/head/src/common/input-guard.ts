/**
 * What no request may carry, whatever its route: text Postgres cannot store (a NUL byte or a
 * lone surrogate is refused in any text or JSON value, even in a WHERE), and nesting deeper than any schema
 * of the API (a pathological body costs the parser and the validator for nothing). Checked
 * once for the path, the query and the body, before any route runs.
 */
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error.js';

/** Deeper than any payload of the API (a scenario's JSON body included) needs. */
export const MAX_DEPTH = 32;

export interface InputProblem {
  path: string;
  message: string;
}

/** The first value of `input` that cannot be stored or is nested too deep, with its path. */
export function findUnstorable(input: unknown, path = '', depth = 0): InputProblem | null {
  if (typeof input === 'string') return textProblem(input, path);
  if (input === null || typeof input !== 'object') return null;
  if (depth >= MAX_DEPTH) return { path, message: `nested deeper than ${MAX_DEPTH} levels` };
  if (Array.isArray(input)) {
    for (let i = 0; i < input.length; i++) {
      const p = findUnstorable(input[i], path ? `${path}.${i}` : String(i), depth + 1);
      if (p) return p;
    }
    return null;
  }
  for (const [key, value] of Object.entries(input)) {
    const keyPath = path ? `${path}.${key}` : key;
    const keyProblem = textProblem(key, keyPath);
    if (keyProblem) return { ...keyProblem, message: `a key ${keyProblem.message}` };
    const p = findUnstorable(value, keyPath, depth + 1);
    if (p) return p;
  }
  return null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** NUL and lone UTF-16 surrogates: Postgres refuses both in text and JSON (invalid UTF-8). */
function textProblem(text: string, path: string): InputProblem | null {
  if (text.includes('\u0000')) return { path, message: 'must not contain a NUL character (\\u0000)' };
  if (LONE_SURROGATE.test(text)) return { path, message: 'must be valid Unicode (a lone surrogate such as \\ud800 cannot be stored)' };
  return null;
}

/** The decoded path, or a problem when it is not valid percent-encoding or holds a NUL. */
export function checkPath(rawPath: string): InputProblem | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { path: 'path', message: 'malformed percent-encoding in the URL path' };
  }
  return decoded.includes('\u0000') ? { path: 'path', message: 'the URL path must not contain a NUL character (%00)' } : null;
}

/** Express middleware: a 400 in the API's error shape for the first problem found. */
export function inputGuard(req: Request, _res: Response, next: NextFunction): void {
  const problem =
    checkPath(req.path) ??
    (() => {
      const q = findUnstorable(req.query, '', 1);
      return q ? { ...q, path: `query.${q.path}` } : null;
    })() ??
    findUnstorable(req.body);
  if (!problem) return next();
  next(new ApiError(400, 'VALIDATION_FAILED', `${problem.path ? `${problem.path}: ` : ''}${problem.message}`, [problem]));
}
