import type { Step } from '@barrage/contracts';
import { compileTemplate, type Template } from './template.js';

/**
 * A step's body as a template and its content type: `json` is serialised once (templates
 * inside strings stay templates), `text` as written, `form` URL-encoded.
 */
export function compileRequestBody(step: Step): { body: Template | null; contentType: string | null } {
  const b = step.body;
  if (!b) return { body: null, contentType: null };
  if ('json' in b) return { body: compileTemplate(JSON.stringify(b.json)), contentType: 'application/json' };
  if ('text' in b) return { body: compileTemplate(b.text), contentType: 'text/plain; charset=utf-8' };
  return { body: compileTemplate(new URLSearchParams(b.form).toString()), contentType: 'application/x-www-form-urlencoded' };
}

/** A step's headers as templates (lower-case names), with the body's content type unless given. */
export function compileRequestHeaders(step: Step, contentType: string | null): { name: string; value: Template }[] {
  const list = Object.entries(step.headers).map(([name, value]) => ({ name: name.toLowerCase(), value: compileTemplate(value) }));
  if (contentType && !list.some((h) => h.name === 'content-type')) list.push({ name: 'content-type', value: compileTemplate(contentType) });
  return list;
}
