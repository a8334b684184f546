import { GitopsApplication } from '@gitops-portal/plugin-gitops-common';

/** An application in the shared model, for store and service tests. */
export function makeApplication(
  overrides: Partial<GitopsApplication> & { name: string },
): GitopsApplication {
  const instance = overrides.instance ?? 'main';
  const namespace = overrides.namespace ?? 'argocd';
  return {
    id: `argocd:${instance}:${namespace}:${overrides.name}`,
    engine: 'argocd',
    instance,
    namespace,
    kind: 'Application',
    project: 'default',
    destination: {
      server: 'https://kubernetes.default.svc',
      namespace: 'apps',
    },
    environment: 'dev',
    sources: [{ repoUrl: 'https://github.com/acme/app.git', path: 'deploy' }],
    syncStatus: 'Synced',
    healthStatus: 'Healthy',
    revisions: ['a'.repeat(40)],
    labels: {},
    stale: false,
    lastReadAt: '2026-11-01T00:00:00.000Z',
    ...overrides,
  };
}
