// Tests are TypeScript compiled by swc to CommonJS (TypeScript 7 has no compiler API for ts-jest).
// Sources are ESM with `.js` import suffixes; the mapper strips them, and workspace packages
// resolve to their sources so a test never runs stale build output.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', decorators: true }, target: 'es2022',
  transform: { legacyDecorator: true, decoratorMetadata: true } }, module: { type: 'commonjs' } }];
const common = {
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@barrage/(contracts|planning|metrics|config|scenario|time)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
  // .barrage/ holds local state, and bench --base builds an older checkout there: not ours to load.
  modulePathIgnorePatterns: ['<rootDir>/.barrage/'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/.barrage/'],
};
module.exports = {
  rootDir: __dirname,
  projects: [
    { ...common, rootDir: __dirname, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.test.ts', '<rootDir>/apps/**/src/**/*.test.ts'] },
    { ...common, rootDir: __dirname, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.test.ts'] },
  ],
};
