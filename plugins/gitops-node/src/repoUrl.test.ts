import { ConfigReader } from '@backstage/config';
import {
  getAzureFileFetchUrl,
  getBitbucketCloudFileFetchUrl,
  getBitbucketServerFileFetchUrl,
  getGiteaFileContentsUrl,
  getGithubFileFetchUrl,
  ScmIntegrations,
} from '@backstage/integration';
import {
  commitUrl,
  branchUrl,
  compareUrl,
  fileUrl,
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

  it('links a branch where the host has a page for it, never the front page', () => {
    const at = (url: string) =>
      branchUrl(resolveRepo(url, integrations)!, 'gitops/promote-prod-1');
    expect(at('https://github.com/acme/fleet')).toBe(
      'https://github.com/acme/fleet/tree/gitops/promote-prod-1',
    );
    expect(at('https://gitlab.com/acme/fleet')).toBe(
      'https://gitlab.com/acme/fleet/-/tree/gitops/promote-prod-1',
    );
    // a plain Git server (the sandbox's) has no branch page
    expect(at('http://localhost:7008/git/fleet.git')).toBeUndefined();
  });
});

describe('file links', () => {
  const at = (url: string) =>
    fileUrl(resolveRepo(url, integrations)!, 'main', 'catalog-info.yaml');

  it("builds the URLs each host's URL reader reads", () => {
    const gh = at('https://github.com/acme/shop.git');
    expect(gh).toBe('https://github.com/acme/shop/blob/main/catalog-info.yaml');
    expect(
      getGithubFileFetchUrl(
        gh,
        integrations.github.byHost('github.com')!.config,
        {
          type: 'token',
          headers: {},
          token: 't',
        },
      ),
    ).toBe(
      'https://api.github.com/repos/acme/shop/contents/catalog-info.yaml?ref=main',
    );

    expect(at('https://gitlab.com/acme/shop')).toBe(
      'https://gitlab.com/acme/shop/-/blob/main/catalog-info.yaml',
    );

    const bbc = at('https://bitbucket.org/acme/shop.git');
    expect(
      getBitbucketCloudFileFetchUrl(
        bbc,
        integrations.bitbucketCloud.byHost('bitbucket.org')!.config,
      ),
    ).toBe(
      'https://api.bitbucket.org/2.0/repositories/acme/shop/src/main/catalog-info.yaml',
    );

    const bbs = at('https://bitbucket.acme.io/scm/shop/api.git');
    expect(bbs).toBe(
      'https://bitbucket.acme.io/projects/SHOP/repos/api/browse/catalog-info.yaml?at=refs%2Fheads%2Fmain',
    );
    expect(
      getBitbucketServerFileFetchUrl(
        bbs,
        integrations.bitbucketServer.byHost('bitbucket.acme.io')!.config,
      ),
    ).toBe(
      'https://bitbucket.acme.io/rest/api/1.0/projects/SHOP/repos/api/raw/catalog-info.yaml?at=refs%2Fheads%2Fmain',
    );

    const az = at('https://dev.azure.com/acme/shop/_git/api');
    expect(getAzureFileFetchUrl(az)).toBe(
      'https://dev.azure.com/acme/shop/_apis/git/repositories/api/items?api-version=6.0&path=%2Fcatalog-info.yaml&versionDescriptor.version=main&versionDescriptor.versionType=branch',
    );

    const gt = at('https://gitea.acme.io/acme/shop.git');
    expect(
      getGiteaFileContentsUrl(
        integrations.gitea.byHost('gitea.acme.io')!.config,
        gt,
      ),
    ).toBe(
      'https://gitea.acme.io/api/v1/repos/acme/shop/contents/catalog-info.yaml?ref=main',
    );
  });

  it('uses the plain raw layout for hosts without a known web UI', () => {
    expect(at('http://localhost:7008/git/shop.git')).toBe(
      'http://localhost:7008/git/shop/raw/main/catalog-info.yaml',
    );
  });
});
