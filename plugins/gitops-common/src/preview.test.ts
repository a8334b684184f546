import { PREVIEW_ANNOTATIONS as A, previewOf } from './preview';

describe('previewOf', () => {
  it('reads the pull request an ApplicationSet wrote from its generator parameters', () => {
    // the template of Argo CD's pull-request generator example
    // (docs: operator-manual/applicationset/Generators-Pull-Request), its
    // parameters {{.number}}, {{.title}}, {{.author}}, {{.head_sha}}
    expect(
      previewOf(
        {
          [A.PULL_REQUEST]: '41',
          [A.TITLE]: 'Gift cards at checkout',
          [A.AUTHOR]: 'dana',
          [A.PULL_REQUEST_URL]: 'https://github.com/acme/checkout/pull/41',
          [A.HEAD_SHA]: 'a'.repeat(40),
          [A.URL]: 'https://checkout-pr-41.preview.example.com',
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
        },
        '2026-12-01T10:00:00Z',
      ),
    ).toEqual({
      pullRequest: {
        number: 41,
        title: 'Gift cards at checkout',
        author: 'dana',
        url: 'https://github.com/acme/checkout/pull/41',
        headSha: 'a'.repeat(40),
      },
      url: 'https://checkout-pr-41.preview.example.com/',
      createdAt: '2026-12-01T10:00:00.000Z',
    });
  });

  it('is not a preview without a valid pull request number', () => {
    expect(previewOf(undefined)).toBeUndefined();
    expect(previewOf({})).toBeUndefined();
    for (const bad of ['', '0', '-1', 'abc', '1e3', '12345678901', '4 2'])
      expect(previewOf({ [A.PULL_REQUEST]: bad })).toBeUndefined();
    expect(previewOf({ [A.PULL_REQUEST]: 42 })).toBeUndefined();
    expect(previewOf({ [A.PULL_REQUEST]: '#42' })?.pullRequest.number).toBe(
      42,
    );
  });

  it('treats what a pull request author writes as hostile: bounded text, http(s) links only', () => {
    const p = previewOf({
      [A.PULL_REQUEST]: '7',
      [A.TITLE]: `x\u0000\n<script>${'y'.repeat(5000)}`,
      [A.AUTHOR]: 'z'.repeat(500),
      // eslint-disable-next-line no-script-url
      [A.PULL_REQUEST_URL]: 'javascript:alert(1)',
      [A.URL]: 'https://user:secret@preview.example.com',
      [A.HEAD_SHA]: '../../etc/passwd',
    })!;
    expect(p.pullRequest.title!.length).toBe(200);
    expect(p.pullRequest.title!.startsWith('x <script>')).toBe(true);
    expect(p.pullRequest.author!.length).toBe(100);
    expect(p.pullRequest.url).toBeUndefined();
    expect(p.pullRequest.headSha).toBeUndefined();
    expect(p.url).toBeUndefined();
    expect(
      previewOf({ [A.PULL_REQUEST]: '7', [A.URL]: 'data:text/html,hi' })!.url,
    ).toBeUndefined();
    expect(previewOf({ [A.PULL_REQUEST]: '7' }, 'not a date')).toEqual({
      pullRequest: { number: 7 },
    });
  });
});
