import { ConfigError, factoryConfigSchema, headConfigSchema, loadConfig, loggerSettings, parseEnvFile } from './index';

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

describe('HTTP and logging settings', () => {
  const base = { DATABASE_URL: 'postgresql://u@h:1/db', REDIS_URL: 'redis://h:2' };

  it('allows no CORS origin by default and reads a comma list', () => {
    expect(loadConfig(headConfigSchema, base).CORS_ORIGINS).toEqual([]);
    expect(loadConfig(headConfigSchema, { ...base, CORS_ORIGINS: 'https://app.example.com, http://localhost:3000,' }).CORS_ORIGINS).toEqual(['https://app.example.com', 'http://localhost:3000']);
  });

  it('refuses an origin with a path or without a scheme', () => {
    expect(() => loadConfig(headConfigSchema, { ...base, CORS_ORIGINS: 'https://a.example.com/app' })).toThrow(/CORS_ORIGINS/);
    expect(() => loadConfig(headConfigSchema, { ...base, CORS_ORIGINS: 'a.example.com' })).toThrow(/CORS_ORIGINS/);
  });

  it('logs JSON unless LOG_FORMAT=pretty asks for pino-pretty', () => {
    expect(loggerSettings({})).toEqual({ level: 'info' });
    expect(loggerSettings({ LOG_FORMAT: 'pretty', LOG_LEVEL: 'debug' })).toMatchObject({ level: 'debug', transport: { target: 'pino-pretty' } });
    expect(() => loadConfig(factoryConfigSchema, { REDIS_URL: 'redis://h', LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT/);
    expect(loggerSettings({ LOG_FORMAT: 'xml' })).toEqual({ level: 'info' });
  });
});
