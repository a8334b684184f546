import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { GitopsClient } from '@gitops-portal/plugin-gitops-common';

/**
 * The GitOps API client for a backend module (catalog, search, Tech
 * Insights): each request carries a service token of the calling plugin
 * for the gitops plugin, so the backend answers as it answers a service
 * (every application, no user's visibility rules).
 *
 * @public
 */
export function createGitopsServiceClient(options: {
  auth: AuthService;
  discovery: DiscoveryService;
}): GitopsClient {
  const { auth, discovery } = options;
  return new GitopsClient({
    discoveryApi: discovery,
    fetchApi: {
      fetch: async (input, init) => {
        const { token } = await auth.getPluginRequestToken({
          onBehalfOf: await auth.getOwnServiceCredentials(),
          targetPluginId: 'gitops',
        });
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${token}`);
        return fetch(input, { ...init, headers });
      },
    },
  });
}
