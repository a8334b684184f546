import {
  mockServices,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { GitopsApplication } from '@gitops-portal/plugin-gitops-common';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { makeApplication } from '@gitops-portal/gitops-test-utils';
import { GitopsEntityProvider } from './GitopsEntityProvider';
import { applicationToEntity, entityNameOf } from './applicationEntities';

const server = setupServer();
registerMswTestHooks(server);

const component: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    namespace: 'default',
    annotations: { 'argocd/app-selector': 'app=checkout' },
  },
  spec: {
    type: 'service',
    owner: 'group:default/team-a',
    system: 'shop',
    lifecycle: 'production',
  },
};

function setup(initial: GitopsApplication[]) {
  let apps = initial;
  server.use(
    http.get('http://localhost:0/api/gitops/fleet', ({ request }) => {
      expect(request.headers.get('authorization')).toMatch(/^Bearer /);
      return HttpResponse.json({ items: apps, totalCount: apps.length });
    }),
  );
  const connection = { applyMutation: jest.fn(), refresh: jest.fn() };
  const provider = new GitopsEntityProvider({
    discovery: mockServices.discovery(),
    auth: mockServices.auth(),
    catalog: catalogServiceMock({ entities: [component] }),
    logger: mockServices.logger.mock(),
    taskRunner: { run: jest.fn() },
    defaultOwner: 'group:default/platform',
  });
  return {
    provider,
    connection,
    setApps: (a: GitopsApplication[]) => (apps = a),
  };
}

describe('GitopsEntityProvider', () => {
  const web = makeApplication({
    name: 'checkout-dev',
    labels: { app: 'checkout' },
    environment: 'dev',
  });
  const addon = makeApplication({
    name: 'cert-manager',
    instance: 'prod',
    environment: 'prod',
  });

  it('emits Resources related to their Component, then only deltas, and nothing when nothing changed', async () => {
    const { provider, connection, setApps } = setup([web, addon]);
    await provider.connect(connection);
    expect(await provider.refresh()).toEqual({ added: 2, removed: 0 });
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    const full = connection.applyMutation.mock.calls[0][0];
    expect(full.type).toBe('full');
    const [webEntity, addonEntity] = full.entities.map((e: any) => e.entity);
    expect(webEntity).toMatchObject({
      kind: 'Resource',
      metadata: {
        name: 'argocd-main-argocd-checkout-dev',
        labels: {
          'gitops-portal.io/engine': 'argocd',
          'gitops-portal.io/environment': 'dev',
          'gitops-portal.io/sync': 'Synced',
          'gitops-portal.io/health': 'Healthy',
        },
        annotations: {
          'argocd/app-name': 'checkout-dev',
          'argocd/instance-name': 'main',
        },
        tags: ['gitops-argocd', 'env-dev', 'sync-synced', 'health-healthy'],
      },
      spec: {
        type: 'gitops-application',
        owner: 'group:default/team-a',
        system: 'shop',
        dependencyOf: ['component:default/checkout'],
      },
    });
    // an application of no component still appears, owned by the default owner
    expect(addonEntity.spec).toEqual({
      type: 'gitops-application',
      owner: 'group:default/platform',
    });

    // unchanged cycle: no mutation at all
    expect(await provider.refresh()).toEqual({ added: 0, removed: 0 });
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);

    // a status change and a deleted application: one delta with just those
    setApps([{ ...web, healthStatus: 'Degraded' }]);
    expect(await provider.refresh()).toEqual({ added: 1, removed: 1 });
    const delta = connection.applyMutation.mock.calls[1][0];
    expect(delta.type).toBe('delta');
    expect(
      delta.added.map(
        (e: any) => e.entity.metadata.labels['gitops-portal.io/health'],
      ),
    ).toEqual(['Degraded']);
    expect(delta.removed).toEqual([
      {
        entityRef: 'resource:default/argocd-prod-argocd-cert-manager',
        locationKey: 'gitops-provider',
      },
    ]);
  });

  it('makes valid, unique names for long ids and Flux objects', () => {
    const long = `argocd:main:argocd:${'x'.repeat(80)}`;
    const name = entityNameOf(long);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(entityNameOf(`${long}y`)).not.toBe(name);
    const flux = makeApplication({
      name: 'inventory',
      engine: 'flux',
      kind: 'Kustomization',
      instance: 'c1',
      namespace: 'apps',
    });
    const entity = applicationToEntity({
      app: { ...flux, id: 'flux:c1:apps:Kustomization/inventory' },
      components: [],
      defaultOwner: 'x',
      providerName: 'gitops',
    });
    expect(entity.metadata.name).toBe('flux-c1-apps-kustomization-inventory');
    expect(entity.metadata.annotations?.['gitops-portal.io/flux-objects']).toBe(
      'c1/apps/Kustomization/inventory',
    );
  });
});
