import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import {
  commitUrl,
  compareUrl,
  normaliseRepoUrl,
  resolveRepo,
} from './repoUrl';

const integrations = ScmIntegrations.fromConfig(
  new ConfigReader({
    integrations: {
      github: [
        { host: 'github.com' },
        { host: 'ghe.acme.io', apiBaseUrl: 'https://ghe.acme.io/api/v3' },
      ],
      gitlab: [
        { host: 'gitlab.com' },
        { host: 'git.acme.io', apiBaseUrl: 'https://git.acme.io/api/v4' },
      ],
      bitbucketCloud: [{}],
      bitbucketServer: [
        {
          host: 'bitbucket.acme.io',
          apiBaseUrl: 'https://bitbucket.acme.io/rest/api/1.0',
        },
      ],
      azure: [{ host: 'dev.azure.com' }],
      gitea: [{ host: 'gitea.acme.io' }],
    },
  }),
);

const SHA = '0123456789abcdef0123456789abcdef01234567';
const link = (url: string) => {
  const repo = resolveRepo(url, integrations);
  return (
    repo && { type: repo.type, web: repo.webUrl, commit: commitUrl(repo, SHA) }
  );
};

describe('repository URLs and commit links', () => {
  it.each([
    [
      'https://github.com/acme/shop.git',
      'github',
      'https://github.com/acme/shop',
      `https://github.com/acme/shop/commit/${SHA}`,
    ],
    [
      'git@github.com:acme/shop.git',
      'github',
      'https://github.com/acme/shop',
      `https://github.com/acme/shop/commit/${SHA}`,
    ],
    [
      'ssh://git@github.com/acme/shop',
      'github',
      'https://github.com/acme/shop',
      `https://github.com/acme/shop/commit/${SHA}`,
    ],
    [
      'https://ghe.acme.io/platform/fleet/',
      'github',
      'https://ghe.acme.io/platform/fleet',
      `https://ghe.acme.io/platform/fleet/commit/${SHA}`,
    ],
    [
      'git@ghe.acme.io:platform/fleet.git',
      'github',
      'https://ghe.acme.io/platform/fleet',
      `https://ghe.acme.io/platform/fleet/commit/${SHA}`,
    ],
    [
      'https://gitlab.com/acme/group/sub/app.git',
      'gitlab',
      'https://gitlab.com/acme/group/sub/app',
      `https://gitlab.com/acme/group/sub/app/-/commit/${SHA}`,
    ],
    [
      'ssh://git@git.acme.io:2222/team/app.git',
      'gitlab',
      'https://git.acme.io/team/app',
      `https://git.acme.io/team/app/-/commit/${SHA}`,
    ],
    [
      'https://bitbucket.org/acme/app.git',
      'bitbucketCloud',
      'https://bitbucket.org/acme/app',
      `https://bitbucket.org/acme/app/commits/${SHA}`,
    ],
    [
      'git@bitbucket.org:acme/app.git',
      'bitbucketCloud',
      'https://bitbucket.org/acme/app',
      `https://bitbucket.org/acme/app/commits/${SHA}`,
    ],
    [
      'https://bitbucket.acme.io/scm/plat/app.git',
      'bitbucketServer',
      'https://bitbucket.acme.io/scm/plat/app',
      `https://bitbucket.acme.io/projects/PLAT/repos/app/commits/${SHA}`,
    ],
    [
      'ssh://git@bitbucket.acme.io:7999/plat/app.git',
      'bitbucketServer',
      'https://bitbucket.acme.io/plat/app',
      `https://bitbucket.acme.io/projects/PLAT/repos/app/commits/${SHA}`,
    ],
    [
      'https://dev.azure.com/acme/shop/_git/app',
      'azure',
      'https://dev.azure.com/acme/shop/_git/app',
      `https://dev.azure.com/acme/shop/_git/app/commit/${SHA}`,
    ],
    [
      'git@ssh.dev.azure.com:v3/acme/shop/app',
      'azure',
      'https://dev.azure.com/acme/shop/_git/app',
      `https://dev.azure.com/acme/shop/_git/app/commit/${SHA}`,
    ],
    [
      'https://gitea.acme.io/team/app.git',
      'gitea',
      'https://gitea.acme.io/team/app',
      `https://gitea.acme.io/team/app/commit/${SHA}`,
    ],
    [
      'git@gitea.acme.io:team/app.git',
      'gitea',
      'https://gitea.acme.io/team/app',
      `https://gitea.acme.io/team/app/commit/${SHA}`,
    ],
  ])('%s', (url, type, web, commit) => {
    expect(link(url)).toEqual({ type, web, commit });
  });

  it('builds no commit link for unknown hosts, and rejects non-URLs', () => {
    expect(link('https://git.example.org/x/y.git')).toEqual({
      type: 'unknown',
      web: 'https://git.example.org/x/y',
      commit: undefined,
    });
    expect(normaliseRepoUrl('not a url')).toBeUndefined();
  });

  it('builds compare links', () => {
    const repo = resolveRepo('git@github.com:acme/shop.git', integrations)!;
    expect(compareUrl(repo, 'a', 'b')).toBe(
      'https://github.com/acme/shop/compare/a...b',
    );
    expect(
      compareUrl(
        resolveRepo('https://gitlab.com/a/b', integrations)!,
        'a',
        'b',
      ),
    ).toBe('https://gitlab.com/a/b/-/compare/a...b');
  });
});
