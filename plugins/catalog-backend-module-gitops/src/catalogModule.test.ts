import request from 'supertest';
import { catalogModuleGitops } from './module';
import {
  CHECKOUT_COMPONENT_YAML,
  until,
  startSandboxPortal,
} from '@gitops-portal/gitops-test-utils';
import gitopsPlugin from '@gitops-portal/plugin-gitops-backend';

jest.setTimeout(120_000);

describe('catalog module with the catalog backend', () => {
  it('puts applications into the catalog, follows status changes and deletions', async () => {
    const portal = await startSandboxPortal({
      features: [gitopsPlugin, catalogModuleGitops],
      catalogYaml: CHECKOUT_COMPONENT_YAML,
      controllers: { argocd: ['main'], flux: ['flux-dev'] },
      gitops: {
        pollIntervalSeconds: 1,
        catalog: { refreshIntervalSeconds: 1 },
      },
    });
    const { sandbox: sb, server } = portal;
    const api = request(server);
    const query = async (filter: string) =>
      (
        await api.get(
          `/api/catalog/entities/by-query?filter=${encodeURIComponent(
            filter,
          )}&limit=500`,
        )
      ).body.items as any[];
    try {
      // every application of instance main (8) and cluster flux-dev (3) becomes a Resource
      const resources = await until(async () => {
        const items = await query('kind=resource,spec.type=gitops-application');
        return items.length === 11 ? items : undefined;
      }, '11 GitOps resources');
      const dev = resources.find(
        r => r.metadata.name === 'argocd-main-argocd-checkout-dev',
      );
      expect(dev.spec).toMatchObject({
        owner: 'group:default/team-checkout',
        system: 'shop',
      });
      expect(dev.relations).toEqual(
        expect.arrayContaining([
          { type: 'dependencyOf', targetRef: 'component:default/checkout' },
          { type: 'ownedBy', targetRef: 'group:default/team-checkout' },
        ]),
      );
      const addon = resources.find(
        r => r.metadata.name === 'argocd-main-argocd-ingress-nginx',
      );
      expect(addon.spec.owner).toBe('group:default/platform');
      const flux = resources.find(
        r =>
          r.metadata.name ===
          'flux-flux-dev-flux-system-kustomization-inventory-staging',
      );
      expect(flux.metadata.labels).toMatchObject({
        'gitops-portal.io/health': 'Degraded',
        'gitops-portal.io/engine': 'flux',
      });

      // "which services are degraded?" through a catalog filter
      expect(
        (
          await query(
            'kind=resource,metadata.labels.gitops-portal.io/health=Degraded',
          )
        )
          .map(r => r.metadata.name)
          .sort(),
      ).toEqual([
        'argocd-main-argocd-catalog-api-staging',
        'flux-flux-dev-flux-system-kustomization-inventory-staging',
      ]);

      // a status change shows through the filter after one cycle
      sb.sandbox.breakApp('main', 'payments-dev', 'ImagePullBackOff');
      await until(async () => {
        const items = await query(
          'kind=resource,metadata.labels.gitops-portal.io/health=Degraded',
        );
        return items.some(
          r => r.metadata.name === 'argocd-main-argocd-payments-dev',
        )
          ? true
          : undefined;
      }, 'payments-dev to turn Degraded in the catalog');

      // a deleted application disappears
      sb.sandbox.remove('main', 'ingress-nginx');
      await until(async () => {
        const items = await query(
          'kind=resource,metadata.name=argocd-main-argocd-ingress-nginx',
        );
        return items.length === 0 ? true : undefined;
      }, 'ingress-nginx to leave the catalog');
    } finally {
      await sb.stop();
    }
  });
});
