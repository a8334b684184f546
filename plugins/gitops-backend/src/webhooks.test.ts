import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { contractsDir } from '@gitops-portal/gitops-contracts';
import { SANDBOX_K8S_TOKEN, startSandbox } from '@gitops-portal/gitops-sandbox';
import { validateResponse } from './__testUtils__/openapi';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { argoApp } from './__fixtures__/argo';
import { argoHandlers, fakeArgo } from './__testUtils__/argoServer';
import {
  argoInstance,
  backendTestServer,
  startGitopsTestBackend,
} from './__testUtils__/testBackend';

jest.setTimeout(60_000);

const HMAC_KEY = 'flux-hmac-key-SECRET';
const ARGO_HOOK_TOKEN = 'argo-hook-token-SECRET';
const GONE_KEY = 'flux-gone-own-key-SECRET';
const SHA = 'b'.repeat(40);

const server = backendTestServer();

const entity = (name: string, annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: {
    type: 'service',
    owner: 'group:default/team-a',
    lifecycle: 'production',
  },
});

const sign = (body: string | Buffer, key = HMAC_KEY) =>
  `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;

// events happen after the sandbox's own state (an older one is ignored as a
// replay): minutes after the test started, whole seconds as controllers send
const T0 = Math.floor(Date.now() / 1000) * 1000;
const minutesIn = (minutes: number) =>
  new Date(T0 + minutes * 60_000).toISOString();

function fluxEvent(overrides: Record<string, unknown> = {}) {
  return {
    involvedObject: {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      name: 'inventory-dev',
      namespace: 'flux-system',
      uid: '7d0cdc51-ddcf-4743-b223-83ca5c699632',
    },
    severity: 'info',
    timestamp: minutesIn(1),
    message: `Reconciliation finished in 1.2s, next run in 5m0s`,
    reason: 'ReconciliationSucceeded',
    metadata: { revision: `main@sha1:${SHA}`, commit_status: 'update' },
    reportingController: 'kustomize-controller',
    reportingInstance: 'kustomize-controller-7c7b47f5f-8bhrp',
    ...overrides,
  };
}

function argoEvent() {
  return {
    instance: 'main',
    app: { name: 'checkout-prod', namespace: 'argocd' },
    sync: { status: 'Synced', revision: SHA },
    health: { status: 'Healthy' },
    operation: {
      phase: 'Succeeded',
      startedAt: '2026-11-21T09:59:00Z',
      finishedAt: '2026-11-21T10:00:00Z',
      revision: SHA,
      initiatedBy: 'alice',
    },
  };
}

describe('webhooks and both engines together', () => {
  let sb: Awaited<ReturnType<typeof startSandbox>>;
  let app: ReturnType<typeof request>;
  const auth = { Authorization: mockCredentials.user.header() };

  beforeAll(async () => {
    sb = await startSandbox({ port: 0, commitEverySeconds: 0 });
  });
  afterAll(() => sb.stop());

  beforeEach(async () => {
    const argo = fakeArgo('https://argo.test', {
      apps: [
        argoApp({
          name: 'checkout-prod',
          labels: { 'app.kubernetes.io/name': 'checkout', environment: 'prod' },
        }),
      ],
    });
    server.use(...argoHandlers(argo));
    const backend = await startGitopsTestBackend({
      entities: [
        entity('inventory', { 'backstage.io/kubernetes-id': 'inventory' }),
        entity('checkout', {
          'argocd/app-selector': 'app.kubernetes.io/name=checkout',
          'backstage.io/kubernetes-id': 'checkout',
        }),
      ],
      gitops: {
        argocd: { instances: [argoInstance('main', 'https://argo.test')] },
        flux: {
          clusters: [
            // a cluster that is down: the others are read all the same
            {
              name: 'flux-gone',
              url: 'http://127.0.0.1:1',
              serviceAccountToken: SANDBOX_K8S_TOKEN,
              skipTLSVerify: true,
              // this cluster signs with a key of its own
              webhookHmacKey: GONE_KEY,
            },
            {
              name: 'flux-dev',
              url: `${sb.url}/k8s/flux-dev`,
              serviceAccountToken: SANDBOX_K8S_TOKEN,
              skipTLSVerify: true,
            },
          ],
        },
        webhooks: {
          fluxHmacKey: HMAC_KEY,
          argocdToken: ARGO_HOOK_TOKEN,
          maxBodyBytes: 4096,
        },
      },
    });
    app = request(backend.server);
  });

  const history = async () =>
    (
      await app
        .get(
          '/api/gitops/entities/component/default/inventory/history?limit=500',
        )
        .set(auth)
    ).body.items as any[];
  const inventoryDev = async () =>
    (
      await app
        .get(
          '/api/gitops/applications/flux:flux-dev:flux-system:Kustomization%2Finventory-dev',
        )
        .set(auth)
    ).body;

  const postFlux = async (body: string | Buffer, signature?: string) => {
    const req = app
      .post('/api/gitops/webhooks/flux/flux-dev')
      .set('content-type', 'application/json');
    if (signature) req.set('x-signature', signature);
    const res = await req.send(body);
    expect(
      validateResponse({
        status: res.status,
        body: res.body,
        req: { method: 'POST', path: '/webhooks/flux/flux-dev' },
      }),
    ).toEqual([]);
    return res;
  };

  it('shows an Argo CD app and a Flux Kustomization of one entity in one response', async () => {
    const res = await app
      .get('/api/gitops/entities/component/default/checkout/deployments')
      .set(auth);
    expect(res.status).toBe(200);
    const envs = Object.fromEntries(
      res.body.environments.map((e: any) => [
        e.environment,
        e.applications.map((a: any) => `${a.engine}:${a.name}`),
      ]),
    );
    expect(envs).toEqual({
      dev: ['flux:checkout-config'],
      prod: ['argocd:checkout-prod'],
    });
  });

  it('reconciles, suspends and resumes a Flux object through the backend', async () => {
    const base =
      '/api/gitops/entities/component/default/inventory/applications/flux:flux-dev:flux-system:Kustomization%2Finventory-dev';
    expect((await app.post(`${base}/suspend`).set(auth)).status).toBe(202);
    const k = sb.flux.get(
      'flux-dev',
      'Kustomization',
      'flux-system',
      'inventory-dev',
    )!;
    expect(k.spec.suspend).toBe(true);
    expect((await app.post(`${base}/resume`).set(auth)).status).toBe(202);
    expect(k.spec.suspend).toBe(false);
    expect((await app.post(`${base}/sync`).set(auth)).status).toBe(202);
    expect(
      k.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'],
    ).toBeDefined();
    // Argo CD has no suspend
    const argo = await app
      .post(
        '/api/gitops/entities/component/default/checkout/applications/argocd:main:argocd:checkout-prod/suspend',
      )
      .set(auth);
    expect(argo.status).toBe(400);
    expect(argo.body.error.message).toMatch(
      /suspend is not supported for argocd/,
    );
  });

  it('reads the clusters that answer while another is down', async () => {
    const fleet = (
      await app.get('/api/gitops/fleet?engine=flux&limit=100').set(auth)
    ).body.items as any[];
    expect(new Set(fleet.map(a => a.instance))).toEqual(new Set(['flux-dev']));
  });

  it('applies a signed Flux event at once, and stores a redelivered one once', async () => {
    const before = (await history()).length;
    const body = JSON.stringify(fluxEvent());
    for (let i = 0; i < 4; i++) {
      const res = await postFlux(body, sign(body));
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        status: 'applied',
        applicationId: 'flux:flux-dev:flux-system:Kustomization/inventory-dev',
      });
    }
    expect(await inventoryDev()).toMatchObject({
      revisions: [`main@sha1:${SHA}`],
      healthStatus: 'Healthy',
      lastSyncedAt: minutesIn(1),
    });
    const after = await history();
    expect(after.length).toBe(before + 1);
    expect(after.filter(d => d.origin === 'event')).toHaveLength(1);
  });

  it('marks drift told by the controller OutOfSync, and stores its correction as a self-heal of the running revision', async () => {
    const before = (await history()).length;
    const running = (await inventoryDev()).revisions[0] as string;
    const event = (overrides: Record<string, unknown>) =>
      JSON.stringify(
        fluxEvent({ metadata: { revision: running }, ...overrides }),
      );
    // drift detection in `warn` mode: told, not corrected
    const told = event({
      timestamp: minutesIn(5),
      reason: 'DriftDetected',
      message:
        'Cluster state of release flux-system/inventory-dev.v3 has drifted from the desired state:\nDeployment/inventory-dev/inventory changed (0 additions, 1 changes, 0 removals)',
    });
    expect((await postFlux(told, sign(told))).status).toBe(202);
    expect(await inventoryDev()).toMatchObject({
      syncStatus: 'OutOfSync',
      operationPhase: 'DriftDetected',
      revisions: [running],
    });
    expect((await history()).length).toBe(before);
    // the controller applies the same revision again, changing what was edited
    const corrected = event({
      timestamp: minutesIn(10),
      message: 'Deployment/inventory-dev/inventory configured',
    });
    expect((await postFlux(corrected, sign(corrected))).status).toBe(202);
    expect(await inventoryDev()).toMatchObject({
      syncStatus: 'Synced',
      revisions: [running],
    });
    const rows = await history();
    expect(rows.length).toBe(before + 1);
    expect(rows.find(d => d.finishedAt === minutesIn(10))).toMatchObject({
      origin: 'event',
      // the controller re-applied the running revision on its own
      initiatedBy: 'kustomize-controller',
      kind: 'self-heal',
      revisions: [running],
      message: 'Deployment/inventory-dev/inventory configured',
    });
  });

  it('accepts the documented payload: prefixed metadata key and the pre-2.0 revision', async () => {
    const documented = JSON.parse(
      fs.readFileSync(
        path.join(
          contractsDir(),
          'flux/events/event.kustomize-error.events-doc.json',
        ),
        'utf8',
      ),
    );
    documented.involvedObject = {
      ...documented.involvedObject,
      name: 'inventory-dev',
      namespace: 'flux-system',
    };
    documented.timestamp = minutesIn(15);
    const body = JSON.stringify(documented);
    const res = await postFlux(body, sign(body));
    expect(res.status).toBe(202);
    const state = await inventoryDev();
    expect(state).toMatchObject({
      healthStatus: 'Degraded',
      operationPhase: 'ValidationFailed',
    });
    expect(state.attemptedRevisions).toEqual([
      'main/731f7eaddfb6af01cb2173e18f0f75b0ba780ef1',
    ]);
    expect(state.message).toMatch(/validation error/);
  });

  it.each([
    ['unsigned', undefined, 401],
    ['wrongly signed', sign('{}'), 401],
    ['signed with another key', 'KEY', 401],
  ])(
    'refuses an %s event and stores nothing',
    async (_name, signature, status) => {
      const before = await history();
      const body = JSON.stringify(
        fluxEvent({ metadata: { revision: `main@sha1:${'c'.repeat(40)}` } }),
      );
      const sig = signature === 'KEY' ? sign(body, 'other-key') : signature;
      const res = await postFlux(body, sig);
      expect(res.status).toBe(status);
      expect(res.body.error.name).toBe('AuthenticationError');
      expect(await history()).toEqual(before);
      expect((await inventoryDev()).revisions[0]).not.toContain('c'.repeat(40));
    },
  );

  it.each([
    ['not JSON', '{"involvedObject": ', /not JSON/],
    [
      'missing fields',
      JSON.stringify({ involvedObject: { kind: 'Kustomization' } }),
      /involvedObject.namespace: Required|severity: Required/,
    ],
    [
      'a bad time',
      JSON.stringify(fluxEvent({ timestamp: 'yesterday' })),
      /timestamp: must be an RFC 3339 time/,
    ],
  ])(
    'answers 400 to a malformed event (%s) and stores nothing',
    async (_name, body, reason) => {
      const before = await history();
      const res = await postFlux(body, sign(body));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(reason);
      expect(await history()).toEqual(before);
    },
  );

  it('checks each cluster events with that cluster key: one cluster cannot post as another', async () => {
    const body = JSON.stringify(fluxEvent());
    const post = (cluster: string, signature: string) =>
      app
        .post(`/api/gitops/webhooks/flux/${cluster}`)
        .set('content-type', 'application/json')
        .set('x-signature', signature)
        .send(body);
    const before = await history();
    // flux-gone's key does not sign for flux-dev, nor the shared key for flux-gone
    expect((await post('flux-dev', sign(body, GONE_KEY))).status).toBe(401);
    expect((await post('flux-gone', sign(body, HMAC_KEY))).status).toBe(401);
    expect(await history()).toEqual(before);
    // its own key does (the object is not one of flux-gone's: ignored)
    const own = await post('flux-gone', sign(body, GONE_KEY));
    expect(own.status).toBe(202);
    expect(own.body.status).toBe('ignored');
  });

  it('answers 413 to an oversized event and stores nothing', async () => {
    const before = await history();
    const body = JSON.stringify(fluxEvent({ message: 'x'.repeat(5000) }));
    const res = await postFlux(body, sign(body));
    expect(res.status).toBe(413);
    expect(await history()).toEqual(before);
  });

  it('ignores events for objects it does not know yet', async () => {
    const body = JSON.stringify(
      fluxEvent({
        involvedObject: {
          kind: 'Kustomization',
          name: 'new-one',
          namespace: 'flux-system',
        },
      }),
    );
    const res = await postFlux(body, sign(body));
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('ignored');
  });

  it('applies Argo CD notifications authenticated with the shared secret', async () => {
    const event = argoEvent();
    const wrong = await app
      .post('/api/gitops/webhooks/argocd')
      .set('x-gitops-token', 'nope')
      .send(event);
    expect(wrong.status).toBe(401);
    for (let i = 0; i < 2; i++) {
      const res = await app
        .post('/api/gitops/webhooks/argocd')
        .set('x-gitops-token', ARGO_HOOK_TOKEN)
        .send(event);
      expect(res.status).toBe(202);
      expect(res.body.status).toBe('applied');
    }
    const hist = (
      await app
        .get(
          '/api/gitops/entities/component/default/checkout/history?limit=100',
        )
        .set(auth)
    ).body.items;
    expect(hist.filter((d: any) => d.origin === 'event')).toEqual([
      expect.objectContaining({
        revisions: [SHA],
        initiatedBy: 'alice',
        result: 'Succeeded',
      }),
    ]);
    const bad = await app
      .post('/api/gitops/webhooks/argocd')
      .set('x-gitops-token', ARGO_HOOK_TOKEN)
      .send({ app: {} });
    expect(bad.status).toBe(400);
  });

  it('answers 10,000 fuzzed webhook bodies with 202/400/401/413, never a 500, and stores nothing from them', async () => {
    // seeded: a failure can be replayed
    let seed = 20261123;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
    const junk = (): unknown =>
      pick<() => unknown>([
        () => null,
        () => 42,
        () => -1e308,
        () => true,
        () => 'x'.repeat(Math.floor(random() * 50)),
        () => '\u0000\ud83d\ude00<script>',
        () => [],
        () => [1, 'a', null],
        () => ({}),
        () => ({ nested: { deeper: { deepest: [{}] } } }),
      ])();
    // a valid-looking event about an object the backend does not know, with
    // one field removed or replaced by junk: ignored or refused, never stored
    const mutate = (event: any, rename: (e: any) => void) => {
      const e = JSON.parse(JSON.stringify(event));
      rename(e);
      const paths: string[][] = [];
      const walk = (o: any, at: string[]) => {
        for (const k of Object.keys(o)) {
          paths.push([...at, k]);
          if (o[k] && typeof o[k] === 'object') walk(o[k], [...at, k]);
        }
      };
      walk(e, []);
      const at = pick(paths);
      const parent = at.slice(0, -1).reduce((o, k) => o[k], e);
      if (random() < 0.3) delete parent[at[at.length - 1]];
      else parent[at[at.length - 1]] = junk();
      return JSON.stringify(e);
    };
    const bodies: Array<{
      engine: 'flux' | 'argocd';
      body: string;
      auth: 'ok' | 'bad';
    }> = [];
    for (let i = 0; i < 10_000; i++) {
      const engine = random() < 0.6 ? 'flux' : 'argocd';
      const real = engine === 'flux' ? fluxEvent() : argoEvent();
      const r = random();
      let body: string;
      if (r < 0.4)
        body = mutate(real, e => {
          if (engine === 'flux') e.involvedObject.name = `fuzz-${i}`;
          else e.app.name = `fuzz-${i}`;
        });
      else if (r < 0.6) {
        // a real event about a known object, cut short
        const text = JSON.stringify(real);
        body = text.slice(0, 1 + Math.floor(random() * (text.length - 2)));
      } else if (r < 0.75)
        body = Array.from({ length: Math.floor(random() * 200) }, () =>
          String.fromCharCode(Math.floor(random() * 256)),
        ).join('');
      else if (r < 0.85) body = JSON.stringify(junk());
      else if (r < 0.95) body = JSON.stringify(real);
      else body = JSON.stringify({ ...real, message: 'y'.repeat(5000) });
      // real events only ever go out with a wrong or missing signature
      const authState =
        r >= 0.85 && r < 0.95 ? 'bad' : pick(['ok', 'ok', 'ok', 'ok', 'bad']);
      bodies.push({ engine, body, auth: authState as 'ok' | 'bad' });
    }
    const historyBefore = await history();
    const appBefore = await inventoryDev();
    const statuses = new Map<number, number>();
    const unexpected: unknown[] = [];
    let applied = 0;
    const agent = app;
    const send = ({ engine, body, auth: ok }: (typeof bodies)[number]) => {
      const req =
        engine === 'flux'
          ? agent
              .post('/api/gitops/webhooks/flux/flux-dev')
              .set('content-type', 'application/json')
              .set(
                'x-signature',
                ok === 'ok' ? sign(body) : sign(body, 'wrong'),
              )
          : agent
              .post('/api/gitops/webhooks/argocd')
              .set('content-type', 'application/json')
              .set('x-gitops-token', ok === 'ok' ? ARGO_HOOK_TOKEN : 'wrong');
      return req.send(body);
    };
    for (let i = 0; i < bodies.length; i += 50) {
      const results = await Promise.all(bodies.slice(i, i + 50).map(send));
      for (const [k, res] of results.entries()) {
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (![202, 400, 401, 413].includes(res.status))
          unexpected.push({
            ...bodies[i + k],
            status: res.status,
            res: res.body,
          });
        if (res.status === 202 && res.body.status === 'applied') applied += 1;
      }
    }
    expect([...statuses.keys()].sort()).toEqual(
      expect.arrayContaining([400, 401, 413]),
    );
    // a failure names the first bodies answered otherwise
    expect(unexpected.slice(0, 3)).toEqual([]);
    expect(applied).toBe(0);
    // nothing stored: the history and the application are as they were
    expect(await history()).toEqual(historyBefore);
    expect(await inventoryDev()).toEqual(appBefore);
  }, 300_000);
});
