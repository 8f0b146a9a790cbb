import { parseTestFile } from './test-file';

const json = { scenarios: [{ name: 's', steps: [{ name: 'a', url: 'http://127.0.0.1:8080/' }] }], campaign: { name: 'c', scenarios: { s: {} }, thresholds: { s: ['p95 < 100'] } } };
const yaml = `
scenarios:
  - name: s
    steps:
      - { name: a, url: "http://127.0.0.1:8080/" }
campaign:
  name: c
  scenarios: { s: {} }
  thresholds:
    s: ["p95 < 100"]
`;

describe('the test file of barrage run', () => {
  it('reads JSON and YAML to the same bodies, as written (the head applies defaults)', () => {
    expect(parseTestFile(JSON.stringify(json), 'test.json')).toEqual(json);
    expect(parseTestFile(yaml, 'test.YML')).toEqual(json);
  });

  it('names the syntax error and every problem of the contract', () => {
    expect(() => parseTestFile('{ "scenarios": ', 'x.json')).toThrow(/x\.json is not valid JSON/);
    expect(() => parseTestFile('a: [1', 'x.yaml')).toThrow(/x\.yaml is not valid YAML/);
    const bad = () => parseTestFile(JSON.stringify({ campaign: { name: '', scenarios: {} }, extra: 1 }), 't.json');
    expect(bad).toThrow(/^t\.json is not a valid test file:\n/);
    expect(bad).toThrow(/\n {2}\(file\): Unrecognized key: "extra"/);
    expect(bad).toThrow(/\n {2}campaign\.name: /);
    expect(bad).toThrow(/\n {2}campaign\.scenarios: must contain at least one scenario/);
  });
});
