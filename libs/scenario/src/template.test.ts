import { compileTemplate, UnresolvedTemplateError, type TemplateScope } from './template';

const scope = (over: Partial<TemplateScope> = {}): TemplateScope => ({
  extracted: null,
  row: null,
  scenarioVars: {},
  campaignVars: {},
  secrets: {},
  minionId: 7,
  iteration: 3,
  ...over,
});

describe('templates', () => {
  it('keeps text without variables constant', () => {
    const t = compileTemplate('http://127.0.0.1/x');
    expect(t.constant).toBe('http://127.0.0.1/x');
  });

  it('resolves extracted, then row, then campaign, then scenario variables', () => {
    const t = compileTemplate('{{a}}-{{b}}-{{c}}-{{d}}');
    const s = scope({ extracted: { a: 'e' }, row: { a: 'r', b: 'r' }, campaignVars: { a: 'c', b: 'c', c: 'c' }, scenarioVars: { d: 's', c: 's' } });
    expect(t.render(s)).toBe('e-r-c-s');
  });

  it('reads secrets only as {{secret.name}}', () => {
    const s = scope({ secrets: { key: 'k1' }, scenarioVars: { key: 'plain' } });
    expect(compileTemplate('{{secret.key}}/{{key}}').render(s)).toBe('k1/plain');
    expect(() => compileTemplate('{{secret.nope}}').render(s)).toThrow(/secret.nope/);
  });

  it('renders built-ins', () => {
    const t = compileTemplate('{{$minionId}}/{{$iteration}}/{{ $randomInt(5,5) }}');
    expect(t.render(scope())).toBe('7/3/5');
    expect(compileTemplate('{{$uuid}}').render(scope())).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('throws a named error for an unresolved variable', () => {
    const t = compileTemplate('x{{known}}y{{missing}}');
    expect(() => t.render(scope({ scenarioVars: { known: 'k' } }))).toThrow(UnresolvedTemplateError);
    expect(() => t.render(scope({ scenarioVars: { known: 'k' } }))).toThrow(/missing/);
  });
});
