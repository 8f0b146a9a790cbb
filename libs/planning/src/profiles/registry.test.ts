import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { executionProfileSchema, PROFILE_NAMES } from './index.js';
import { PROFILES } from './registry.js';

const isDescriptor = (value: unknown) =>
  typeof value === 'object' && value !== null && 'schema' in value && ['open', 'closed'].includes((value as { model?: string }).model ?? '');

/** Every descriptor a file of this folder exports: a profile file whose line was forgotten shows here. */
async function declaredDescriptors(): Promise<Set<unknown>> {
  const files = readdirSync(__dirname).filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'));
  const modules: object[] = await Promise.all(files.map((file) => import(join(__dirname, file))));
  return new Set(modules.flatMap((exports) => Object.values(exports).filter(isDescriptor)));
}

/** Loads the registry afresh with one profile file's descriptor replaced. */
function loadRegistryWithRegular(change: object): unknown {
  let loaded: unknown;
  jest.isolateModules(() => {
    const actual = jest.requireActual('./regular');
    jest.doMock('./regular', () => ({ ...actual, regularDescriptor: { ...actual.regularDescriptor, ...change } }));
    loaded = require('./registry');
  });
  return loaded;
}

describe('the profile registry', () => {
  it('lists every profile of this folder, each once', async () => {
    expect(new Set(PROFILES).size).toBe(PROFILES.length);
    expect(new Set(PROFILES)).toEqual(await declaredDescriptors());
  });

  it('gives each name and alias to one profile, in the order of PROFILE_NAMES', () => {
    const spellings = PROFILES.flatMap((descriptor) => [descriptor.name, ...descriptor.aliases]);
    expect(new Set(spellings).size).toBe(spellings.length);
    expect(PROFILES.map((descriptor) => descriptor.name)).toEqual(PROFILE_NAMES);
  });

  const spellings = PROFILES.flatMap((descriptor) => [descriptor.name, ...descriptor.aliases].map((spelling) => ({ descriptor, spelling })));

  it.each(spellings)('parses $spelling as $descriptor.name', ({ descriptor, spelling }) => {
    expect(executionProfileSchema.parse({ ...descriptor.example, profile: spelling }).profile).toBe(descriptor.name);
  });

  it('refuses at load a name listed twice, a missing name, and an alias the schema does not accept', () => {
    expect(() => loadRegistryWithRegular({ name: 'IMMEDIATELY' })).toThrow('execution profile IMMEDIATELY is registered twice');
    expect(() => loadRegistryWithRegular({ name: '' })).toThrow('execution profile #1 of the registry has no name');
    expect(() => loadRegistryWithRegular({ aliases: ['REG'] })).toThrow(
      'execution profile REGULAR declares REGULAR, REG but its schema accepts REGULAR',
    );
  });

  it('loads when nothing is wrong', () => {
    expect(loadRegistryWithRegular({})).toHaveProperty('PROFILES');
  });
});
