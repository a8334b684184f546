import {
  formatLabelSelector,
  matchesLabelSelector,
  parseLabelSelector,
} from './labelSelector';

describe('parseLabelSelector', () => {
  it('parses every operator of the Kubernetes grammar', () => {
    expect(
      parseLabelSelector(
        'a=b, c==d,e!=f,g in (x, y),h notin (z),team,!legacy,example.com/tier=web',
      ),
    ).toEqual([
      { key: 'a', operator: 'In', values: ['b'] },
      { key: 'c', operator: 'In', values: ['d'] },
      { key: 'e', operator: 'NotIn', values: ['f'] },
      { key: 'g', operator: 'In', values: ['x', 'y'] },
      { key: 'h', operator: 'NotIn', values: ['z'] },
      { key: 'team', operator: 'Exists', values: [] },
      { key: 'legacy', operator: 'DoesNotExist', values: [] },
      { key: 'example.com/tier', operator: 'In', values: ['web'] },
    ]);
  });

  it('accepts an empty value, as Kubernetes does', () => {
    expect(parseLabelSelector('a=')).toEqual([
      { key: 'a', operator: 'In', values: [''] },
    ]);
  });

  it.each([
    ['', /empty/],
    [' , ', /empty term/],
    ['a=b,,c=d', /empty term/],
    ['a in (x,y', /Unbalanced '\('/],
    ['a in x,y)', /Unbalanced '\)'/],
    ['a in ()', /at least one value/],
    ['a = b = c', /Unsupported label selector term 'a = b = c'/],
    ['a>1', /not a valid label key/],
    ['-bad=x', /'-bad' in '-bad=x' is not a valid label key/],
    ['a=b c', /Unsupported/],
    [`a=${'v'.repeat(64)}`, /not a valid label value/],
  ])('rejects %j with a clear reason', (selector, reason) => {
    expect(() => parseLabelSelector(selector)).toThrow(reason);
  });
});

describe('matchesLabelSelector', () => {
  const labels = { app: 'web', tier: 'fe', team: 'shop' };
  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app=api', false],
    ['app!=api', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['app in (api,web)', true],
    ['app in (api,db)', false],
    ['app notin (api,db)', true],
    ['app notin (web)', false],
    ['missing notin (x)', true],
    ['missing in (x)', false],
    ['team', true],
    ['missing', false],
    ['!missing', true],
    ['!team', false],
    ['app=web,tier in (fe,be),!legacy,team', true],
    ['app=web,tier=be', false],
  ])('%s → %s', (selector, expected) => {
    expect(matchesLabelSelector(parseLabelSelector(selector), labels)).toBe(
      expected,
    );
  });
});

describe('formatLabelSelector', () => {
  it('writes the canonical form, which parses back to the same requirements', () => {
    const selector = 'a=b,c!=d,e in (x,y),f notin (p,q),g,!h';
    const parsed = parseLabelSelector(selector);
    expect(formatLabelSelector(parsed)).toBe(selector);
    expect(parseLabelSelector(formatLabelSelector(parsed))).toEqual(parsed);
  });
});

describe('label selector bounds', () => {
  it('refuses a selector too long, with too many requirements or values', () => {
    expect(() => parseLabelSelector(`a=${'b'.repeat(100_000)}`)).toThrow(
      /100002 characters long, more than the 4096 allowed/,
    );
    expect(() =>
      parseLabelSelector(
        Array.from({ length: 40 }, (_, i) => `k${i}=v`).join(','),
      ),
    ).toThrow('40 requirements, more than the 32 allowed');
    expect(() =>
      parseLabelSelector(
        `a in (${Array.from({ length: 300 }, (_, i) => `v${i}`).join(',')})`,
      ),
    ).toThrow('300 values, more than the 256 allowed');
  });
});
