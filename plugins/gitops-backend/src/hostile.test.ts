import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { databaseServiceFactory } from '@backstage/backend-defaults/database';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import {
  SANDBOX_K8S_TOKEN,
  SANDBOX_TOKEN,
  startSandbox,
} from '@gitops-portal/gitops-sandbox';
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import {
  onBehalfOfAuthFactory,
  ownersOnlyPolicyModule,
  gitRepository,
  restrictedTokensHttpAuthFactory,
  until,
} from '@gitops-portal/gitops-test-utils';
import { gitopsPlugin } from './plugin';

/**
 * Hostile input against the real backend: the GitOps plugin with the real
 * catalog (entities from a file, as catalog authors write them), the real
 * permission backend under an owners-only policy, the sandbox's Argo CD and
 * Kubernetes APIs over HTTP, and real Git repositories on disk. Each case is
 * one of issue #25's findings, probed as an attacker would, on SQLite and
 * PostgreSQL.
 */
jest.setTimeout(180_000);

const FLUX_KEY = 'flux-hmac-key-SECRET';
const SHARED_ARGO_TOKEN = 'shared-argo-hook-SECRET';
const MAIN_ARGO_TOKEN = 'main-argo-hook-SECRET';
const PROD_ARGO_TOKEN = 'prod-argo-hook-SECRET';
const RESTRICTED = 'dashboards-static-token-SECRET';

const application = (
  name: string,
  revision: string,
) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: shop
  source:
    repoURL: http://localhost:7008/git/checkout.git
    path: deploy/overlays/staging
    targetRevision: ${revision} # pinned by promotions
  destination:
    server: https://kubernetes.default.svc
    namespace: ${name}
`;

const component = (
  name: string,
  owner: string,
  annotations: Record<string, string>,
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, annotations },
  spec: { type: 'service', lifecycle: 'production', owner },
});

const sign = (body: string) =>
  `sha256=${createHmac('sha256', FLUX_KEY).update(body).digest('hex')}`;

const PG = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
const DATABASES: Array<[string, object]> = [
  ['SQLITE_3', { client: 'better-sqlite3', connection: ':memory:' }],
  ...(PG
    ? ([
        [
          'POSTGRES_15',
          {
            client: 'pg',
            connection: PG,
            // a database per plugin, of this run only
            prefix: `hostile_${randomBytes(4).toString('hex')}_`,
          },
        ],
      ] as Array<[string, object]>)
    : []),
];

describe.each(DATABASES)(
  'hostile input, real backend (%s)',
  (_id, database) => {
    let sb: Awaited<ReturnType<typeof startSandbox>>;
    let api: ReturnType<typeof request>;
    let stop: () => Promise<void>;
    let root: string;
    let fleet: ReturnType<typeof gitRepository>;
    let other: ReturnType<typeof gitRepository>;
    let outside: string;
    const user = (name: string) => ({
      Authorization: mockCredentials.user.header(`user:default/${name}`),
    });

    beforeAll(async () => {
      sb = await startSandbox({ port: 0, commitEverySeconds: 0, git: false });
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-hostile-'));
      // the fleet repository the configuration names
      fleet = gitRepository('fleet', root);
      fleet.commit('init', dir => {
        fs.mkdirSync(path.join(dir, 'apps'));
        fs.writeFileSync(
          path.join(dir, 'apps/checkout-staging.yaml'),
          application('checkout-staging', '0'.repeat(40)),
        );
      });
      // another team's repository on the same disk: never to be written
      other = gitRepository('other-team', root);
      other.commit('init', dir => {
        fs.mkdirSync(path.join(dir, 'apps'));
        fs.writeFileSync(
          path.join(dir, 'apps/payments-staging.yaml'),
          application('payments-staging', '0'.repeat(40)),
        );
      });
      // a file of the backend's host, outside every clone
      outside = path.join(root, 'host-file.yaml');
      fs.writeFileSync(
        outside,
        application('checkout-staging', '1'.repeat(40)),
      );

      const hugeSelector = `app.kubernetes.io/name in (${Array.from(
        { length: 5000 },
        (_, i) => `svc-${i}`,
      ).join(',')})`;
      const catalogFile = path.join(root, 'catalog.yaml');
      fs.writeFileSync(
        catalogFile,
        [
          component('checkout', 'user:default/alice', {
            'argocd/app-selector': 'app.kubernetes.io/name=checkout',
            'gitops-portal.io/promotion': 'manifest',
          }),
          component('payments', 'user:default/bob', {
            'argocd/app-name': 'payments-dev,payments-staging',
            // another team's repository, and one on the backend's disk
            'gitops-portal.io/promotion': `manifest,repo=${other.url}`,
          }),
          component('hostile-selector', 'user:default/mallory', {
            'argocd/app-selector': hugeSelector,
          }),
          component('hostile-values', 'user:default/mallory', {
            // short enough, with too many values
            'argocd/app-selector': `app in (${Array.from(
              { length: 300 },
              (_, i) => `v${i}`,
            ).join(',')})`,
          }),
          component('hostile-long', 'user:default/mallory', {
            'argocd/app-selector': `app=${'x'.repeat(100_000)}`,
          }),
        ]
          .map(e => JSON.stringify(e))
          .join('\n---\n'),
      );

      const backend = await startTestBackend({
        features: [
          gitopsPlugin,
          catalogPlugin,
          permissionPlugin,
          ownersOnlyPolicyModule(),
          permissionsServiceFactory,
          permissionsRegistryServiceFactory,
          onBehalfOfAuthFactory,
          restrictedTokensHttpAuthFactory({
            // a static token for a dashboard: the fleet page and nothing else
            [RESTRICTED]: {
              subject: 'external:dashboards',
              accessRestrictions: { permissionNames: ['gitops.fleet.read'] },
            },
          }),
          schedulerServiceFactory,
          databaseServiceFactory,
          mockServices.rootConfig.factory({
            data: {
              backend: { baseUrl: 'http://localhost:0', database },
              permission: { enabled: true },
              catalog: {
                rules: [{ allow: ['Component', 'Location'] }],
                locations: [{ type: 'file', target: catalogFile }],
                processingInterval: { seconds: 1 },
              },
              gitops: {
                pollIntervalSeconds: 600,
                watch: false,
                visibility: { refreshIntervalSeconds: 1 },
                git: { enabled: false },
                promotion: {
                  fleetRepo: fleet.url,
                  trackIntervalSeconds: 600,
                },
                argocd: {
                  instances: [
                    {
                      name: 'main',
                      url: `${sb.url}/argocd/main`,
                      token: SANDBOX_TOKEN,
                      webhookToken: MAIN_ARGO_TOKEN,
                    },
                    {
                      name: 'prod',
                      url: `${sb.url}/argocd/prod`,
                      username: 'admin',
                      password: 'sandbox',
                      webhookToken: PROD_ARGO_TOKEN,
                    },
                  ],
                },
                flux: {
                  clusters: [
                    {
                      name: 'flux-dev',
                      url: `${sb.url}/k8s/flux-dev`,
                      serviceAccountToken: SANDBOX_K8S_TOKEN,
                      skipTLSVerify: true,
                    },
                  ],
                },
                webhooks: {
                  fluxHmacKey: FLUX_KEY,
                  argocdToken: SHARED_ARGO_TOKEN,
                },
              },
            },
          }),
        ],
      });
      api = request(backend.server);
      stop = () => backend.stop();
      // the first reads, and the catalog's entities
      await until(async () => {
        const res = await api
          .get('/api/gitops/entities/component/default/checkout/deployments')
          .set(user('alice'));
        return res.status === 200 && res.body.environments.length >= 2
          ? true
          : undefined;
      }, 'checkout read from the sandbox');
      await until(async () => {
        const res = await api
          .get(
            '/api/gitops/applications/flux:flux-dev:flux-system:Kustomization%2Finventory-dev',
          )
          .set(user('admin'));
        return res.status === 200 ? true : undefined;
      }, 'flux-dev read');
    });

    afterAll(async () => {
      await stop?.();
      await sb?.stop();
      fs.rmSync(root, { recursive: true, force: true });
    });

    const promote = (entity: string, as: string, dryRun: boolean) =>
      api
        .post(`/api/gitops/entities/component/default/${entity}/changes`)
        .set(user(as))
        .send({ action: 'promote', environment: 'staging', dryRun });

    it('the annotation cannot choose where the backend pushes (case 2): another repository, file://, is refused', async () => {
      const before = other.refs();
      for (const dryRun of [true, false]) {
        const res = await promote('payments', 'bob', dryRun);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain(
          'gitops.promotion.allowedRepositories',
        );
        // no diff of the other repository's content comes back
        expect(JSON.stringify(res.body)).not.toContain('payments-staging.yaml');
      }
      expect(other.refs()).toBe(before);
      // the configured fleet repository works
      const ok = await promote('checkout', 'alice', true);
      expect(ok.status).toBe(200);
      expect(ok.body.files[0].path).toBe('apps/checkout-staging.yaml');
    });

    it('a link in the repository never leads out of the clone (case 1), in a preview or a proposal', async () => {
      const hostBefore = fs.readFileSync(outside, 'utf8');
      const refsBefore = fleet.refs();
      fleet.commit('a link to the host', dir => {
        fs.rmSync(path.join(dir, 'apps/checkout-staging.yaml'));
        fs.symlinkSync(outside, path.join(dir, 'apps/checkout-staging.yaml'));
      });
      try {
        for (const dryRun of [true, false]) {
          const res = await promote('checkout', 'alice', dryRun);
          expect(res.status).toBe(400);
          expect(fs.readFileSync(outside, 'utf8')).toBe(hostBefore);
        }
        expect(fleet.refs()).toBe(refsBefore);
      } finally {
        fleet.commit('the manifest again', dir => {
          fs.rmSync(path.join(dir, 'apps/checkout-staging.yaml'));
          fs.writeFileSync(
            path.join(dir, 'apps/checkout-staging.yaml'),
            application('checkout-staging', '0'.repeat(40)),
          );
        });
      }
    });

    it('a 50 MB YAML file does not stall the backend (case 3): /health answers within 100 ms (95th percentile, 500 ms at worst), memory stays bounded', async () => {
      fleet.commit('a huge file', dir => {
        const fd = fs.openSync(path.join(dir, 'apps/huge.yaml'), 'w');
        fs.writeSync(
          fd,
          'kind: Application\nmetadata:\n  name: huge\nitems:\n',
        );
        const line = `  - ${'x'.repeat(1000)}\n`.repeat(1000);
        for (let i = 0; i < 50; i++) fs.writeSync(fd, line);
        fs.closeSync(fd);
      });
      const rssBefore = process.memoryUsage().rss;
      let done = false;
      const latencies: number[] = [];
      const probe = (async () => {
        while (!done) {
          const t = performance.now();
          const res = await api.get('/api/gitops/health');
          latencies.push(performance.now() - t);
          expect(res.status).toBe(200);
          await new Promise(r => setTimeout(r, 20));
        }
      })();
      const started = Date.now();
      const res = await promote('checkout', 'alice', true);
      const elapsed = Date.now() - started;
      done = true;
      await probe;
      const rssGrowth = process.memoryUsage().rss - rssBefore;
      // the huge file is skipped (over gitops.promotion.maxFileBytes); the
      // manifest beside it is found and previewed
      expect(res.status).toBe(200);
      expect(res.body.files.map((f: any) => f.path)).toEqual([
        'apps/checkout-staging.yaml',
      ]);
      expect(elapsed).toBeLessThan(60_000);
      expect(latencies.length).toBeGreaterThan(0);
      // alone it answers in a few ms; the bound leaves room for the other
      // test workers on a 2-core machine. Parsing the file instead blocks the
      // event loop for seconds.
      const sorted = [...latencies].sort((a, b) => a - b);
      expect(sorted[Math.floor(sorted.length * 0.95)]).toBeLessThan(100);
      expect(Math.max(...latencies)).toBeLessThan(500);
      expect(rssGrowth).toBeLessThan(150 * 1024 * 1024);
    });

    it('an oversized selector is a 400 without SQL, and breaks no one else’s visibility (case 4)', async () => {
      for (const name of [
        'hostile-selector',
        'hostile-long',
        'hostile-values',
      ]) {
        const res = await api
          .get(`/api/gitops/entities/component/default/${name}/deployments`)
          .set(user('mallory'));
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/more than the \d+ allowed/);
        expect(JSON.stringify(res.body)).not.toMatch(
          /\bselect\b[^"]*\bfrom\b|sqlite|expression tree|gitops_applications/i,
        );
      }
      // the claims of the other entities are kept all the same: alice may
      // not read payments, so its applications are hidden from her
      const paymentsDev = encodeURIComponent('argocd:main:argocd:payments-dev');
      await until(async () => {
        const res = await api
          .get(`/api/gitops/applications/${paymentsDev}`)
          .set(user('alice'));
        return res.status === 404 ? true : undefined;
      }, 'payments-dev hidden from alice (claims kept despite the bad entities)');
      expect(
        (
          await api
            .get(`/api/gitops/applications/${paymentsDev}`)
            .set(user('bob'))
        ).status,
      ).toBe(200);
      const fleetOfAlice = await api
        .get('/api/gitops/fleet?limit=1000')
        .set(user('alice'));
      expect(fleetOfAlice.status).toBe(200);
      const names = fleetOfAlice.body.items.map((a: any) => a.name);
      expect(names).toContain('checkout-dev');
      expect(names).not.toContain('payments-dev');
      // each listed application names the entity whose page it has
      const checkoutDev = fleetOfAlice.body.items.find(
        (a: any) => a.name === 'checkout-dev',
      );
      expect(checkoutDev.entityRef).toBe('component:default/checkout');
      const matrix = await api
        .get('/api/gitops/fleet/matrix')
        .set(user('alice'));
      expect(matrix.status).toBe(200);
      const rows = Object.fromEntries(
        matrix.body.rows.map((r: any) => [r.service, r.entityRef]),
      );
      expect(rows.checkout).toBe('component:default/checkout');
      // payments' unclaimed applications show, but not the entity alice may
      // not read
      expect(rows.payments).toBeUndefined();
      expect(JSON.stringify(matrix.body)).not.toContain(
        'component:default/payments',
      );
      // bob reads payments: its row links its entity
      const ofBob = await api.get('/api/gitops/fleet/matrix').set(user('bob'));
      expect(
        ofBob.body.rows.find((r: any) => r.service === 'payments')?.entityRef,
      ).toBe('component:default/payments');
    });

    it('query parameters past their bounds are a 400', async () => {
      for (const query of [
        `text=${'x'.repeat(5000)}`,
        `owner=${'x'.repeat(5000)}`,
        `environment=${Array.from({ length: 100 }, (_, i) => `e${i}`).join(
          ',',
        )}`,
        `environment=${'e'.repeat(1000)}`,
        'limit=100000',
        `cursor=${'c'.repeat(10_000)}`,
      ]) {
        const res = await api
          .get(`/api/gitops/fleet?${query}`)
          .set(user('admin'));
        expect([query.slice(0, 20), res.status]).toEqual([
          query.slice(0, 20),
          400,
        ]);
      }
      const res = await api
        .get(`/api/gitops/applications/${'a'.repeat(5000)}`)
        .set(user('admin'));
      expect(res.status).toBe(400);
    });

    it('a replayed Flux event older than the stored state does not roll it back (case 5)', async () => {
      const id = 'flux:flux-dev:flux-system:Kustomization%2Finventory-dev';
      const newer = 'c'.repeat(40);
      const older = 'd'.repeat(40);
      const event = (revision: string, at: Date) =>
        JSON.stringify({
          involvedObject: {
            apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
            kind: 'Kustomization',
            name: 'inventory-dev',
            namespace: 'flux-system',
          },
          severity: 'info',
          timestamp: at.toISOString(),
          message: 'Reconciliation finished in 1.2s, next run in 5m0s',
          reason: 'ReconciliationSucceeded',
          metadata: { revision: `main@sha1:${revision}` },
          reportingController: 'kustomize-controller',
        });
      const post = (body: string) =>
        api
          .post('/api/gitops/webhooks/flux/flux-dev')
          .set('content-type', 'application/json')
          .set('x-signature', sign(body))
          .send(body);
      const now = Date.now();
      const first = event(older, new Date(now + 60_000));
      const second = event(newer, new Date(now + 120_000));
      expect((await post(first)).body.status).toBe('applied');
      expect((await post(second)).body.status).toBe('applied');
      // the older one again, correctly signed: a replay
      const replay = await post(first);
      expect(replay.status).toBe(202);
      expect(replay.body).toMatchObject({
        status: 'ignored',
        reason: 'older than the stored state of the application',
      });
      const app = await api
        .get(`/api/gitops/applications/${id}`)
        .set(user('admin'));
      expect(app.body.revisions).toEqual([`main@sha1:${newer}`]);
    });

    it('a static token with access restrictions reads only what they allow (case 6)', async () => {
      const as = { Authorization: `Bearer ${RESTRICTED}` };
      const checkoutDev = encodeURIComponent('argocd:main:argocd:checkout-dev');
      // the entity's own pages: not for this token
      expect(
        (await api.get(`/api/gitops/applications/${checkoutDev}`).set(as))
          .status,
      ).toBe(404);
      // the fleet page, which it may read: only what no entity claims
      const fleetRes = await api.get('/api/gitops/fleet?limit=1000').set(as);
      expect(fleetRes.status).toBe(200);
      const names = fleetRes.body.items.map((a: any) => a.name);
      expect(names).not.toContain('checkout-dev');
      expect(names).not.toContain('payments-dev');
      expect(names).toContain('ingress-nginx');
      // and no action
      const sync = await api
        .post(
          `/api/gitops/applications/${encodeURIComponent(
            'argocd:main:argocd:ingress-nginx',
          )}/refresh`,
        )
        .set(as);
      expect(sync.status).toBe(403);
      // an unrestricted service (another plugin) reads the application
      expect(
        (
          await api
            .get(`/api/gitops/applications/${checkoutDev}`)
            .set({ Authorization: mockCredentials.service.header() })
        ).status,
      ).toBe(200);
    });

    it('an Argo CD webhook token writes its own instance only (case 7)', async () => {
      const body = (instance: string, app: string) =>
        JSON.stringify({
          instance,
          app: { name: app, namespace: 'argocd' },
          health: { status: 'Degraded', message: 'written by a webhook' },
        });
      const post = (url: string, token: string, b: string) =>
        api
          .post(url)
          .set('content-type', 'application/json')
          .set('x-gitops-token', token)
          .send(b);
      // main's token, writing prod: refused, on either route
      expect(
        (
          await post(
            '/api/gitops/webhooks/argocd',
            MAIN_ARGO_TOKEN,
            body('prod', 'checkout-prod'),
          )
        ).status,
      ).toBe(403);
      expect(
        (
          await post(
            '/api/gitops/webhooks/argocd/prod',
            MAIN_ARGO_TOKEN,
            body('prod', 'checkout-prod'),
          )
        ).status,
      ).toBe(401);
      expect(
        (
          await post(
            '/api/gitops/webhooks/argocd/main',
            MAIN_ARGO_TOKEN,
            body('prod', 'checkout-prod'),
          )
        ).status,
      ).toBe(403);
      // the shared token no longer writes an instance that has its own
      expect(
        (
          await post(
            '/api/gitops/webhooks/argocd',
            SHARED_ARGO_TOKEN,
            body('prod', 'checkout-prod'),
          )
        ).status,
      ).toBe(403);
      const prod = await api
        .get(
          `/api/gitops/applications/${encodeURIComponent(
            'argocd:prod:argocd:checkout-prod',
          )}`,
        )
        .set(user('admin'));
      expect(prod.body.healthStatus).not.toBe('Degraded');
      // prod's own token writes prod
      const own = await post(
        '/api/gitops/webhooks/argocd/prod',
        PROD_ARGO_TOKEN,
        body('prod', 'checkout-prod'),
      );
      expect(own.status).toBe(202);
      expect(own.body.status).toBe('applied');
      // no token, a wrong one: 401, and nothing said of which exist
      for (const token of ['', 'guess']) {
        const res = await post(
          '/api/gitops/webhooks/argocd',
          token,
          body('main', 'checkout-dev'),
        );
        expect(res.status).toBe(401);
        expect(JSON.stringify(res.body)).not.toMatch(
          /SECRET|prod-argo|main-argo/,
        );
      }
    });
  },
);
