import { mockCredentials } from '@backstage/backend-test-utils';
import searchPlugin from '@backstage/plugin-search-backend';
import {
  OWNED_SERVICES_YAML,
  ownersOnlyPolicyModule,
  until,
  startSandboxPortal,
} from '@gitops-portal/gitops-test-utils';
import gitopsPlugin from '@gitops-portal/plugin-gitops-backend';
import request from 'supertest';
import { searchModuleGitopsCollator } from './module';

jest.setTimeout(180_000);

describe('search module with the search, catalog, permission and GitOps backends', () => {
  it('indexes claimed applications as the controller reports them, follows new deployments, and shows each user only what they may read', async () => {
    const portal = await startSandboxPortal({
      features: [gitopsPlugin, searchPlugin, searchModuleGitopsCollator],
      policy: ownersOnlyPolicyModule(),
      catalogYaml: OWNED_SERVICES_YAML,
      controllers: { argocd: ['main'] },
      config: {
        search: {
          collators: {
            gitops: {
              schedule: {
                frequency: { seconds: 2 },
                timeout: { seconds: 60 },
                initialDelay: { seconds: 1 },
              },
            },
          },
        },
      },
      gitops: {
        pollIntervalSeconds: 1,
        watch: false,
        visibility: { refreshIntervalSeconds: 1 },
      },
    });
    const { sandbox: sb, server } = portal;
    const api = request(server);
    const search = async (user: string, term: string) => {
      const res = await api
        .get(
          `/api/search/query?term=${encodeURIComponent(term)}&types[0]=gitops`,
        )
        .set(
          'authorization',
          mockCredentials.user.header(`user:default/${user}`),
        );
      if (res.status !== 200)
        throw new Error(`search: ${res.status} ${JSON.stringify(res.body)}`);
      return (res.body.results as any[]).map(r => r.document);
    };
    /** What the sandbox's Argo CD says the application runs. */
    const truth = (name: string) => {
      const app = sb.sandbox.application('main', name) as any;
      return {
        revision: String(app.status.sync.revision).slice(0, 7),
        healthStatus: app.status.health.status,
        syncStatus: app.status.sync.status,
      };
    };
    try {
      // the admin reads every entity: both services' applications, once
      // the catalog claims them and the collator ran
      const all = await until(async () => {
        const docs = await search('admin', 'dev');
        const names = docs.map(d => d.title).sort();
        return names.includes('checkout-dev') && names.includes('payments-dev')
          ? docs
          : undefined;
      }, 'checkout-dev and payments-dev in the index');
      const checkoutDev = all.find(d => d.title === 'checkout-dev');
      expect(checkoutDev).toMatchObject({
        entityRef: 'component:default/checkout',
        environment: 'dev',
        engine: 'argocd',
        kind: 'Application',
        location:
          '/catalog/default/component/checkout/deployments?application=argocd%3Amain%3Aargocd%3Acheckout-dev',
        ...truth('checkout-dev'),
      });
      expect(checkoutDev.cluster).toMatch(/^main/);
      // an application no entity claims is not indexed (fleet page only)
      expect(
        (await search('admin', 'ingress-nginx')).map(d => d.title),
      ).not.toContain('ingress-nginx');

      // owners only: alice finds checkout's applications, never payments'
      const alice = (await search('alice', 'dev')).map(d => d.title);
      expect(alice).toContain('checkout-dev');
      expect(alice.filter(n => n.startsWith('payments'))).toEqual([]);
      const bob = (await search('bob', 'payments')).map(d => d.title);
      expect(bob).toEqual(
        expect.arrayContaining(['payments-dev', 'payments-staging']),
      );
      expect((await search('bob', 'checkout')).map(d => d.title)).toEqual([]);

      // a new commit deployed: the index follows, with the controller's revision
      const pushed = sb.sandbox.push({
        instance: 'main',
        name: 'checkout-dev',
      });
      expect(pushed).toBeDefined();
      const found = await until(
        async () => {
          const docs = await search('alice', pushed!.revision.slice(0, 7));
          return docs.find(d => d.title === 'checkout-dev');
        },
        'the new revision of checkout-dev found by its SHA',
        120_000,
      );
      expect(found.revision).toBe(truth('checkout-dev').revision);
      expect(found.revision).toBe(pushed!.revision.slice(0, 7));
    } finally {
      await sb.stop();
    }
  });
});
