/**
 * The architecture's import rules (checked by test/architecture.test.ts in npm test):
 * libs are pure and shared, apps use libs, and nothing imports in circles.
 */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'A cycle makes modules impossible to read or test alone.', from: {}, to: { circular: true } },
    { name: 'libs-not-apps', severity: 'error', comment: 'libs/ hold pure shared code: they never reach into an app.', from: { path: '^libs/' }, to: { path: '^apps/' } },
    {
      name: 'apps-not-each-other',
      severity: 'error',
      comment: 'Head, factory and CLI talk through Redis and Postgres (and the CLI starts them as processes), never by importing each other.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-no-io',
      severity: 'error',
      comment: 'Pure code: no database, Redis, HTTP client or server in libs/ (config parses an env object it is given). Tests may.',
      from: { path: '^libs/', pathNot: '\\.test\\.ts$' },
      to: { path: 'node_modules/(\\.pnpm/)?(ioredis|bullmq|@prisma|pg|undici|express|@nestjs)' },
    },
    {
      name: 'libs-no-node-io',
      severity: 'error',
      comment: 'Pure code: no file system, sockets or processes in libs/. Tests may (a registry test lists its folder).',
      from: { path: '^libs/', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|net|http|https|child_process|dgram|tls)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|generated)/' },
    parser: 'swc',
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
