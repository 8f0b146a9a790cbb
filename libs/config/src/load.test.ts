import { ConfigError, factoryConfigSchema, headConfigSchema, loadConfig, parseEnvFile } from './index';

describe('loadConfig', () => {
  it('applies defaults and coerces numbers', () => {
    const c = loadConfig(headConfigSchema, { DATABASE_URL: 'postgresql://u@h:1/db', REDIS_URL: 'redis://h:2' });
    expect(c.PORT).toBe(8400);
    expect(c.ALLOCATION_TIMEOUT_MS).toBe(30000);
  });

  it('names every bad variable', () => {
    try {
      loadConfig(headConfigSchema, { DATABASE_URL: 'mysql://x', REDIS_URL: 'redis://h', PORT: 'eighty' });
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const vars = (e as ConfigError).problems.map((p) => p.variable).sort();
      expect(vars).toEqual(['DATABASE_URL', 'PORT']);
      expect((e as Error).message).toMatch(/DATABASE_URL: must be a postgresql/);
    }
  });

  it('reports missing required variables', () => {
    expect(() => loadConfig(factoryConfigSchema, {})).toThrow(/REDIS_URL/);
  });

  it('rejects a zone with spaces', () => {
    expect(() => loadConfig(factoryConfigSchema, { REDIS_URL: 'redis://h', ZONE: 'eu west' })).toThrow(/ZONE/);
  });
});

describe('parseEnvFile', () => {
  it('reads KEY=value lines and skips comments', () => {
    expect(parseEnvFile('# c\nA=1\n\nB = x=y \n')).toEqual({ A: '1', B: 'x=y' });
  });
});
