// Lints an OpenAPI document with Redocly's linter (@redocly/openapi-core, its `recommended`
// rules, with examples that do not match their schema raised to errors) and prints the problems as JSON: [{ severity, rule, message, where }].
// A script of its own because openapi-core is ESM only and jest runs tests as CommonJS.
//   node test/support/lint-openapi.mjs <document.json>
import { resolve } from 'node:path';
import { createConfig, lint } from '@redocly/openapi-core';

const config = await createConfig({ extends: ['recommended'], rules: { 'no-invalid-media-type-examples': 'error' } });
const problems = await lint({ ref: resolve(process.argv[2]), config });
const out = problems.map((p) => ({
  severity: p.severity,
  rule: p.ruleId,
  message: p.message,
  where: p.location.map((l) => l.pointer).join(' '),
}));
process.stdout.write(JSON.stringify(out, null, 1));
