import { compileTemplate, UnresolvedTemplateError, type TemplateScope } from './template';

const scope = (over: Partial<TemplateScope> = {}): TemplateScope => ({
  extracted: null,
  row: null,
  scenarioVars: {},
  campaignVars: {},
  minionId: 7,
  iteration: 3,
  ...over,
});

describe('templates', () => {
  it('keeps text without variables constant', () => {
    const t = compileTemplate('http://127.0.0.1/x');
    expect(t.constant).toBe('http://127.0.0.1/x');
  });

  it('resolves extracted, then row, then scenario, then campaign variables', () => {
    const t = compileTemplate('{{a}}-{{b}}-{{c}}-{{d}}');
    const s = scope({ extracted: { a: 'e' }, row: { a: 'r', b: 'r' }, scenarioVars: { a: 's', b: 's', c: 's' }, campaignVars: { d: 'c', c: 'c' } });
    expect(t.render(s)).toBe('e-r-s-c');
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
