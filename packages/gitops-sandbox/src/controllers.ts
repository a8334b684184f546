import { SANDBOX_K8S_TOKEN, SANDBOX_TOKEN } from './server';

/**
 * The `gitops.argocd` and `gitops.flux` configuration that points a GitOps
 * backend at a running sandbox: the Argo CD instances and Flux clusters
 * named, with the sandbox's credentials.
 */
export function sandboxControllers(
  sandboxUrl: string,
  options: { argocd?: string[]; flux?: string[] } = {},
) {
  const { argocd = ['main'], flux = [] } = options;
  return {
    argocd: {
      instances: argocd.map(name => ({
        name,
        url: `${sandboxUrl}/argocd/${name}`,
        token: SANDBOX_TOKEN,
      })),
    },
    ...(flux.length
      ? {
          flux: {
            clusters: flux.map(name => ({
              name,
              url: `${sandboxUrl}/k8s/${name}`,
              serviceAccountToken: SANDBOX_K8S_TOKEN,
              skipTLSVerify: true,
            })),
          },
        }
      : {}),
  };
}
