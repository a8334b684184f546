import { mockCredentials } from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  isPermission,
} from '@backstage/plugin-permission-common';
import {
  OWNED_SERVICES_YAML,
  ownersOnlyPolicyModule,
  until,
  startSandboxPortal,
} from '@gitops-portal/gitops-test-utils';
import gitopsPlugin from '@gitops-portal/plugin-gitops-backend';
import { gitopsFleetReadPermission } from '@gitops-portal/plugin-gitops-common';
import request from 'supertest';
import { catalogModuleGitops } from './module';

jest.setTimeout(120_000);

/**
 * Owners-only entity reads (admin reads all); the fleet is for everyone but
 * carol.
 */
const policyModule = ownersOnlyPolicyModule((query, user) =>
  isPermission(query.permission, gitopsFleetReadPermission)
    ? {
        result:
          user?.info.userEntityRef === 'user:default/carol'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      }
    : undefined,
);

describe('who may see what, under a real permission policy', () => {
  it("hides the applications of entities a user may not read: fleet, matrix, application, Deployments tab and the catalog's Resources", async () => {
    const portal = await startSandboxPortal({
      features: [gitopsPlugin, catalogModuleGitops],
      policy: policyModule,
      catalogYaml: OWNED_SERVICES_YAML,
      controllers: { argocd: ['main'], flux: ['flux-dev'] },
      gitops: {
        pollIntervalSeconds: 2,
        watch: false,
        visibility: { refreshIntervalSeconds: 1 },
        // fleet and team metrics computed on each request
        metrics: { snapshotMaxAgeSeconds: 0 },
        catalog: { refreshIntervalSeconds: 1 },
      },
    });
    const { sandbox: sb, server } = portal;
    const api = request(server);
    const as = (user: string) => ({
      get: (url: string) =>
        api
          .get(url)
          .set(
            'authorization',
            mockCredentials.user.header(`user:default/${user}`),
          ),
    });
    const fleetNames = async (user: string) => {
      const res = await as(user).get('/api/gitops/fleet?limit=500');
      if (res.status !== 200)
        throw new Error(`fleet: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body.items as any[]).map(a => a.name).sort();
    };
    try {
      // links take a refresh to follow the catalog: wait until alice's fleet
      // has checkout and no longer payments
      const alice = await until(async () => {
        const names = await fleetNames('alice');
        return names.includes('checkout-dev') && !names.includes('payments-dev')
          ? names
          : undefined;
      }, "alice's fleet without payments");
      // alice owns checkout: she sees its applications and those no
      // service claims (platform add-ons, unannotated services), never
      // payments'
      const unclaimed = [
        'catalog-api-dev',
        'catalog-api-staging',
        'ingress-nginx',
        'inventory-dev',
      ];
      expect(alice).toEqual(
        expect.arrayContaining([
          'checkout-dev',
          'checkout-staging',
          ...unclaimed,
        ]),
      );
      expect(alice.filter(n => n.startsWith('payments'))).toEqual([]);
      const bob = await fleetNames('bob');
      expect(bob).toEqual(
        expect.arrayContaining([
          'payments-dev',
          'payments-staging',
          ...unclaimed,
        ]),
      );
      expect(bob).not.toContain('checkout-dev');
      expect(bob).not.toContain('checkout-staging');
      // who may read every entity (the policy allows, unconditionally)
      // sees every application
      const admin = await fleetNames('admin');
      expect(admin).toEqual(expect.arrayContaining([...alice, ...bob].sort()));
      expect(admin.length).toBe(new Set([...alice, ...bob]).size);

      // the matrix counts only what each may see
      const matrix = (await as('alice').get('/api/gitops/fleet/matrix')).body;
      const services = matrix.rows.map((r: any) => r.service);
      expect(services).toContain('checkout');
      expect(services).not.toContain('payments');
      const drill = await as('alice').get('/api/gitops/fleet?service=payments');
      expect(drill.body.items).toEqual([]);

      // one application, by id: not found for alice, there for bob
      const paymentsDev = (
        await as('bob').get('/api/gitops/fleet?service=payments')
      ).body.items.find((a: any) => a.name === 'payments-dev');
      const id = encodeURIComponent(paymentsDev.id);
      expect(
        (await as('alice').get(`/api/gitops/applications/${id}`)).status,
      ).toBe(404);
      expect(
        (await as('bob').get(`/api/gitops/applications/${id}`)).status,
      ).toBe(200);

      // the Deployments tab: alice cannot read payments, so it is not found
      const tab = '/api/gitops/entities/component/default/payments/deployments';
      expect((await as('alice').get(tab)).status).toBe(404);
      const bobs = await as('bob').get(tab);
      expect(bobs.status).toBe(200);
      expect(JSON.stringify(bobs.body)).toContain('payments-dev');

      // ApplicationSets: checkout's (it generates checkout-dev and -staging)
      // is alice's to see, not bob's
      const sets = async (user: string) =>
        (
          (await as(user).get('/api/gitops/applicationsets')).body
            .items as any[]
        )
          .filter(set => set.instance === 'main')
          .map(set => set.name);
      expect(await sets('alice')).toContain('checkout');
      expect(await sets('bob')).not.toContain('checkout');
      expect(await sets('admin')).toContain('checkout');

      // delivery metrics: the fleet's count only what each may see (alice:
      // all of dev but payments'); teams list only readable services
      const metrics = '?window=90&environment=dev';
      const fleetDeployments = async (user: string) =>
        (await as(user).get(`/api/gitops/metrics/fleet${metrics}`)).body.current
          .deployments as number;
      const payments = (
        await as('bob').get(
          `/api/gitops/metrics/entities/component/default/payments${metrics}`,
        )
      ).body.current.deployments as number;
      expect(payments).toBeGreaterThan(0);
      await until(async () => {
        const [a, all] = [
          await fleetDeployments('alice'),
          await fleetDeployments('admin'),
        ];
        return a === all - payments ? true : undefined;
      }, "alice's fleet metrics without payments'");
      const teams = async (user: string) =>
        (
          (await as(user).get(`/api/gitops/metrics/teams${metrics}`))
            .body as any[]
        ).flatMap(team => team.services);
      expect(await teams('alice')).toEqual(['component:default/checkout']);
      expect(await teams('bob')).toEqual(['component:default/payments']);
      expect((await teams('admin')).sort()).toEqual([
        'component:default/checkout',
        'component:default/payments',
      ]);

      // the fleet read permission: carol may read neither fleet nor matrix
      expect((await as('carol').get('/api/gitops/fleet')).status).toBe(403);
      expect((await as('carol').get('/api/gitops/fleet/matrix')).status).toBe(
        403,
      );

      // the catalog module's Resources follow their Component's owner, so
      // the same policy hides them
      const resources = async (user: string) =>
        (
          (
            await as(user).get(
              `/api/catalog/entities/by-query?filter=${encodeURIComponent(
                'kind=resource,spec.type=gitops-application',
              )}&limit=500`,
            )
          ).body.items as any[]
        )
          .map(r => r.metadata.name)
          .sort();
      const aliceResources = await until(async () => {
        const names = await resources('alice');
        return names.length ? names : undefined;
      }, "alice's Resources");
      expect(aliceResources).toContain('argocd-main-argocd-checkout-dev');
      expect(aliceResources.filter(n => n.includes('payments'))).toEqual([]);
      expect(await resources('bob')).toContain(
        'argocd-main-argocd-payments-dev',
      );
    } finally {
      await sb.stop();
    }
  });
});
