import { ConfigReader } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { gitAuthFromIntegrations } from './gitAuth';
import { resolveRepo } from './repoUrl';

const integrations = ScmIntegrations.fromConfig(
  new ConfigReader({
    integrations: {
      github: [{ host: 'github.com', token: 'gh-token' }],
      gitlab: [{ host: 'gitlab.com', token: 'gl-token' }],
      bitbucketCloud: [{ username: 'bb-user', appPassword: 'bb-pass' }],
      bitbucketServer: [{ host: 'bitbucket.acme.io', token: 'bbs-token' }],
      azure: [
        {
          host: 'dev.azure.com',
          credentials: [{ personalAccessToken: 'az-pat' }],
        },
      ],
      gitea: [
        { host: 'gitea.acme.io', username: 'gt-user', password: 'gt-pass' },
      ],
    },
  }),
);
const auth = gitAuthFromIntegrations(
  integrations,
  DefaultGithubCredentialsProvider.fromIntegrations(integrations),
);
const decode = (header?: string) =>
  header?.startsWith('Basic ')
    ? Buffer.from(header.slice(6), 'base64').toString()
    : header;

describe('gitAuthFromIntegrations', () => {
  it.each([
    ['https://github.com/acme/app', 'x-access-token:gh-token'],
    ['https://gitlab.com/acme/app', 'oauth2:gl-token'],
    ['https://bitbucket.org/acme/app', 'bb-user:bb-pass'],
    ['https://bitbucket.acme.io/scm/plat/app.git', 'Bearer bbs-token'],
    ['https://dev.azure.com/acme/shop/_git/app', ':az-pat'],
    ['https://gitea.acme.io/team/app', 'gt-user:gt-pass'],
    ['https://git.example.org/x/y', undefined],
  ])('uses the integration credentials of %s', async (url, expected) => {
    expect(decode(await auth(resolveRepo(url, integrations)!))).toBe(expected);
  });
});
