import { Entity } from '@backstage/catalog-model';
import {
  DeployedApplication,
  EntityDeploymentsResponse,
  GitopsApplication,
  GitopsDeployment,
} from '@gitops-portal/plugin-gitops-common';

export const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    namespace: 'default',
    annotations: { 'argocd/app-selector': 'app=checkout' },
  },
  spec: { type: 'service', owner: 'team-a', lifecycle: 'production' },
};

export const bareEntity: Entity = {
  ...entity,
  metadata: { name: 'bare', namespace: 'default' },
};

export function app(
  overrides: Partial<GitopsApplication> & { name: string },
): GitopsApplication {
  return {
    // unique per instance, as the backend's ids are
    id: `argocd:${overrides.instance ?? 'main'}:argocd:${overrides.name}`,
    engine: 'argocd',
    instance: 'main',
    namespace: 'argocd',
    kind: 'Application',
    destination: {},
    environment: 'dev',
    sources: [
      { repoUrl: 'https://github.com/acme/fleet.git', path: 'apps/checkout' },
    ],
    syncStatus: 'Synced',
    healthStatus: 'Healthy',
    revisions: ['0123456789abcdef0123456789abcdef01234567'],
    lastSyncedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    labels: {},
    controllerUrl: `https://argo.example.com/applications/argocd/${overrides.name}`,
    stale: false,
    lastReadAt: new Date().toISOString(),
    ...overrides,
  };
}

export function deployments(
  apps: DeployedApplication[],
): EntityDeploymentsResponse {
  const envs = [...new Set(apps.map(a => a.environment))];
  return {
    entityRef: 'component:default/checkout',
    environments: envs.map((environment, order) => {
      const list = apps.filter(a => a.environment === environment);
      return {
        environment,
        order,
        syncStatus: list[0].syncStatus,
        healthStatus: list[0].healthStatus,
        applications: list,
      };
    }),
  };
}

export function historyRows(count: number): GitopsDeployment[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(count - i),
    applicationId: 'argocd:main:argocd:checkout-dev',
    environment: i % 2 ? 'prod' : 'dev',
    revisions: [`${i.toString(16)}${'a'.repeat(40)}`.slice(0, 40)],
    startedAt: new Date(
      Date.UTC(2026, 10, 1, 0, 0, 0) - i * 60_000 - 20_000,
    ).toISOString(),
    finishedAt: new Date(
      Date.UTC(2026, 10, 1, 0, 0, 0) - i * 60_000,
    ).toISOString(),
    result: i === 1 ? 'Failed' : 'Succeeded',
    initiatedBy: i % 3 ? 'automated' : 'alice',
    origin: 'controller-history',
  }));
}
