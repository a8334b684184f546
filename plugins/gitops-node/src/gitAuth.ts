import {
  ScmIntegrationRegistry,
  GithubCredentialsProvider,
} from '@backstage/integration';
import { RepoRef } from './repoUrl';

/**
 * An HTTP Authorization header value for a repository, or undefined.
 *
 * @public
 */
export type GitAuth = (repo: RepoRef) => Promise<string | undefined>;

const basic = (user: string, secret: string) =>
  `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

/**
 * HTTP credentials for plain Git, from Backstage's `integrations` config:
 * the same tokens the rest of Backstage uses for each host.
 *
 * @public
 */
export function gitAuthFromIntegrations(
  integrations: ScmIntegrationRegistry,
  github: GithubCredentialsProvider,
): GitAuth {
  return async repo => {
    switch (repo.type) {
      case 'github': {
        const { token } = await github.getCredentials({ url: repo.webUrl });
        return token ? basic('x-access-token', token) : undefined;
      }
      case 'gitlab': {
        const token = integrations.gitlab.byHost(repo.host)?.config.token;
        return token ? basic('oauth2', token) : undefined;
      }
      case 'bitbucketCloud': {
        const c = integrations.bitbucketCloud.byHost(repo.host)?.config;
        return c?.username && c.appPassword
          ? basic(c.username, c.appPassword)
          : undefined;
      }
      case 'bitbucketServer': {
        const c = integrations.bitbucketServer.byHost(repo.host)?.config;
        if (c?.token) return `Bearer ${c.token}`;
        return c?.username && c.password
          ? basic(c.username, c.password)
          : undefined;
      }
      case 'azure': {
        const c = integrations.azure.byHost(repo.host)?.config as
          | { credentials?: { personalAccessToken?: string }[]; token?: string }
          | undefined;
        const pat =
          c?.credentials?.find(x => x.personalAccessToken)
            ?.personalAccessToken ?? c?.token;
        return pat ? basic('', pat) : undefined;
      }
      case 'gitea': {
        const c = integrations.gitea.byHost(repo.host)?.config;
        return c?.username && c.password
          ? basic(c.username, c.password)
          : undefined;
      }
      default:
        return undefined;
    }
  };
}
