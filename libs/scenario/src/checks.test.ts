import { checkSchema, extractionSchema } from '@barrage/contracts';
import { compileCheck, compileExtraction } from './checks';
import { NEEDS_BODY, NEEDS_HEADERS, ResponseData } from './response';

function response(status: number, body: string, headers: Record<string, string> = {}, latencyMs = 10): ResponseData {
  const r = new ResponseData();
  r.reset(NEEDS_BODY | NEEDS_HEADERS, false);
  r.status = status;
  r.latencyMs = latencyMs;
  r.rawHeaders = Object.entries(headers).flatMap(([k, v]) => [Buffer.from(k), Buffer.from(v)]);
  r.chunks!.push(Buffer.from(body.slice(0, 3)), Buffer.from(body.slice(3)));
  return r;
}
const check = (c: unknown) => compileCheck(checkSchema.parse(c));
const extraction = (e: unknown) => compileExtraction('v', extractionSchema.parse(e));

describe('checks', () => {
  const r = response(200, JSON.stringify({ token: 'abc', n: 3, role: 'admin', items: [{ id: 7 }], nothing: null }), { 'Content-Type': 'application/json', 'Set-Cookie': 'a=1' });

  it.each([
    [{ status: [200] }, true, 'status'],
    [{ status: [201, 204] }, false, 'status'],
    [{ maxLatencyMs: 10 }, true, 'maxLatencyMs'],
    [{ maxLatencyMs: 9 }, false, 'maxLatencyMs'],
    [{ bodyContains: '"abc"' }, true, 'bodyContains'],
    [{ bodyMatches: 'tok.n' }, true, 'body ~ /tok.n/'],
    [{ bodyMatches: '^x' }, false, 'body ~ /^x/'],
    [{ jsonPath: '$.token' }, true, '$.token exists'],
    [{ jsonPath: '$.missing' }, false, '$.missing exists'],
    [{ jsonPath: '$.missing', exists: false }, true, '$.missing absent'],
    [{ jsonPath: '$.nothing' }, true, '$.nothing exists'],
    [{ jsonPath: '$.n', equals: 3 }, true, '$.n == 3'],
    [{ jsonPath: '$.n', equals: '3' }, false, '$.n == "3"'],
    [{ jsonPath: '$.items[0]', equals: { id: 7 } }, true, '$.items[0] == {"id":7}'],
    [{ jsonPath: '$.role', matches: '^adm' }, true, '$.role ~ /^adm/'],
    [{ jsonPath: '$.n', matches: '^3$' }, true, '$.n ~ /^3$/'],
    [{ jsonPath: '$.items', matches: '.' }, false, '$.items ~ /./'],
    [{ jsonPath: '$.role', in: ['user', 'admin'] }, true, '$.role in ["user","admin"]'],
    [{ jsonPath: '$.role', in: ['user'] }, false, '$.role in ["user"]'],
    [{ header: 'content-type', matches: 'json' }, true, 'header content-type ~ /json/'],
    [{ header: 'CONTENT-TYPE', equals: 'application/json' }, true, 'header content-type == "application/json"'],
    [{ header: 'x-nope' }, false, 'header x-nope exists'],
    [{ header: 'x-nope', exists: false }, true, 'header x-nope absent'],
    [{ jsonPath: '$.token', name: 'has token' }, true, 'has token'],
  ])('%j → %s, named %s', (c, pass, name) => {
    const compiled = check(c);
    expect(compiled.pass(r)).toBe(pass);
    expect(compiled.name).toBe(name);
  });

  it('a body that is not JSON fails a JSONPath check rather than throwing', () => {
    expect(check({ jsonPath: '$.a' }).pass(response(200, 'not json'))).toBe(false);
    expect(check({ jsonPath: '$.a', exists: false }).pass(response(200, 'not json'))).toBe(true);
  });

  it('says what of the response each check reads', () => {
    expect(check({ status: [200] }).needs).toBe(0);
    expect(check({ maxLatencyMs: 5 }).needs).toBe(0);
    expect(check({ header: 'x' }).needs).toBe(NEEDS_HEADERS);
    expect(check({ jsonPath: '$.x' }).needs).toBe(NEEDS_BODY);
    expect(check({ status: [200] }).isStatus).toBe(true);
  });
});

describe('extractions', () => {
  const r = response(201, '{"token":"abc","n":3,"obj":{"a":1}}', { Location: '/users/42', 'X-Multi': 'a' });
  r.rawHeaders!.push(Buffer.from('x-multi'), Buffer.from('b'));

  it.each([
    [{ jsonPath: '$.token' }, 'abc'],
    [{ jsonPath: '$.n' }, '3'],
    [{ jsonPath: '$.obj' }, '{"a":1}'],
    [{ jsonPath: '$.none' }, undefined],
    [{ header: 'location' }, '/users/42'],
    [{ header: 'x-multi' }, 'a, b'],
    [{ header: 'x-none' }, undefined],
    [{ regex: '"token":"(\\w+)"' }, 'abc'],
    [{ regex: 'n":\\d' }, 'n":3'],
    [{ regex: 'zzz(\\d)' }, undefined],
    [{ status: true }, '201'],
  ])('%j → %s', (e, value) => {
    expect(extraction(e).take(r)).toBe(value);
  });
});

describe('save-time validation of checks and extractions', () => {
  it.each([
    [{ jsonPath: '$[' }, 'JSONPath'],
    [{ jsonPath: 'token' }, 'JSONPath'],
    [{ bodyMatches: '(' }, 'regular expression'],
    [{ jsonPath: '$.a', equals: 1, exists: true }, 'at most one'],
  ])('%j is refused, saying %s', (c, words) => {
    const r = checkSchema.safeParse(c);
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error!.issues)).toContain(words);
  });
});
