import http from 'node:http';
import { AddressInfo } from 'node:net';
import { validateFlux } from '@gitops-portal/gitops-contracts';
import { SANDBOX_K8S_TOKEN, startSandbox } from '@gitops-portal/gitops-sandbox';
import { FluxClusterConfig } from '../../config';
import { EnvironmentConfig } from '../../model/environments';
import { FluxProvider } from './FluxProvider';
import { fluxStatus, mapFluxObject } from './mapFlux';

jest.setTimeout(30_000);

const environments: EnvironmentConfig = {
  order: ['dev', 'staging', 'prod'],
  label: 'environment',
  fallback: 'default',
  rules: [],
};

describe('FluxProvider against the sandbox Kubernetes API', () => {
  let sb: Awaited<ReturnType<typeof startSandbox>>;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, commitEverySeconds: 0, syncSeconds: 1 });
  });
  afterAll(() => sb.stop());

  const cluster = (name: string, extra: Partial<FluxClusterConfig> = {}) =>
    new FluxProvider({
      cluster: {
        name,
        url: `${sb.url}/k8s/${name}`,
        token: SANDBOX_K8S_TOKEN,
        // the sandbox speaks plain HTTP, which the client allows only so
        skipTLSVerify: true,
        ...extra,
      },
      environments,
    });

  it('serves objects that match the Flux CRDs', () => {
    for (const c of sb.flux.clusters()) {
      for (const kind of [
        'Kustomization',
        'HelmRelease',
        'GitRepository',
        'HelmRepository',
      ]) {
        for (const obj of sb.flux.list(c, kind))
          expect(validateFlux(obj)).toEqual([]);
      }
    }
  });

  it('maps Kustomizations and HelmReleases with their sources', async () => {
    const dev = await cluster('flux-dev').read({});
    const byName = Object.fromEntries(dev.applications.map(a => [a.name, a]));
    expect(byName['inventory-dev']).toMatchObject({
      id: 'flux:flux-dev:flux-system:Kustomization/inventory-dev',
      engine: 'flux',
      kind: 'Kustomization',
      environment: 'dev',
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
      sources: [
        {
          repoUrl: 'http://localhost:7008/git/inventory.git',
          path: './deploy/dev',
          targetRevision: 'main',
        },
      ],
      labels: { 'backstage.io/kubernetes-id': 'inventory', environment: 'dev' },
    });
    expect(byName['inventory-dev'].revisions[0]).toMatch(
      /^main@sha1:[0-9a-f]{40}$/,
    );

    // a failing rollout: applied and attempted revisions differ, both kept
    const failing = byName['inventory-staging'];
    expect(failing).toMatchObject({
      syncStatus: 'OutOfSync',
      healthStatus: 'Degraded',
      operationPhase: 'HealthCheckFailed',
      message: expect.stringMatching(/health check failed/),
    });
    expect(failing.attemptedRevisions).toHaveLength(1);
    expect(failing.attemptedRevisions![0]).not.toBe(failing.revisions[0]);
    const failed = dev.deployments.filter(d => d.applicationId === failing.id);
    expect(failed.map(d => d.result)).toContain('Failed');

    const prod = await cluster('flux-prod').read({});
    const podinfo = prod.applications.find(a => a.kind === 'HelmRelease')!;
    expect(podinfo).toMatchObject({
      id: 'flux:flux-prod:podinfo:HelmRelease/podinfo',
      revisions: ['6.6.1'],
      healthStatus: 'Healthy',
      sources: [
        {
          repoUrl: 'http://localhost:7008/charts/podinfo',
          chart: 'podinfo',
          targetRevision: '6.x',
        },
      ],
    });
    const releases = prod.deployments.filter(
      d => d.applicationId === podinfo.id,
    );
    expect(releases.map(d => d.revisions[0]).sort()).toEqual([
      '6.5.4',
      '6.6.0',
      '6.6.1',
    ]);
    const suspended = prod.applications.find(a => a.name === 'legacy-batch')!;
    expect(suspended.healthStatus).toBe('Suspended');
  });

  it('reads only configured namespaces', async () => {
    const prod = await cluster('flux-prod', { namespaces: ['podinfo'] }).read(
      {},
    );
    expect(prod.applications.map(a => a.name)).toEqual(['podinfo']);
  });

  it('reads images and workload health from the Deployments its inventory names', async () => {
    const dev = await cluster('flux-dev').read({});
    const byName = Object.fromEntries(dev.applications.map(a => [a.name, a]));
    const tag = byName['inventory-dev'].revisions[0]
      .match(/[0-9a-f]{40}/)![0]
      .slice(0, 7);
    expect(byName['inventory-dev']).toMatchObject({
      resourceCount: 3,
      images: [`ghcr.io/gitops-portal/inventory:${tag}`],
    });
    expect(byName['inventory-dev'].resources).toBeUndefined();
    expect(byName['inventory-staging'].resources).toEqual([
      expect.objectContaining({
        kind: 'Deployment',
        namespace: 'inventory-staging',
        name: 'inventory',
        healthStatus: 'Degraded',
        message: expect.stringMatching(/has timed out progressing/),
      }),
    ]);
    const prod = await cluster('flux-prod').read({});
    expect(prod.applications.find(a => a.name === 'podinfo')?.images).toEqual([
      'ghcr.io/stefanprodan/podinfo:6.6.1',
    ]);
  });

  it('falls back to declared images when RBAC forbids reading workloads', async () => {
    // a Kubernetes API in front of the sandbox whose RBAC refuses apps/v1
    const proxy = http.createServer(async (req, res) => {
      if (req.url?.includes('/apis/apps/')) {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'Forbidden',
            code: 403,
            message:
              'deployments.apps is forbidden: User "system:serviceaccount:backstage:gitops" cannot list resource "deployments" in API group "apps" at the cluster scope',
          }),
        );
        return;
      }
      const upstream = await fetch(`${sb.url}${req.url}`, {
        headers: { authorization: String(req.headers.authorization) },
      });
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(await upstream.text());
    });
    await new Promise<void>(r => proxy.listen(0, '127.0.0.1', r));
    try {
      const { port } = proxy.address() as AddressInfo;
      const prod = await cluster('flux-prod', {
        url: `http://127.0.0.1:${port}/k8s/flux-prod`,
      }).read({});
      const podinfo = prod.applications.find(a => a.name === 'podinfo')!;
      // the chart's image repository, from the HelmRelease values
      expect(podinfo.images).toEqual(['ghcr.io/stefanprodan/podinfo']);
      expect(podinfo.resourceCount).toBe(3);
      expect(podinfo.resources).toBeUndefined();
    } finally {
      proxy.close();
    }
  });

  it('follows Kustomizations with an informer: a pushed commit is reported without a new read', async () => {
    const provider = cluster('flux-dev');
    await provider.read({});
    const seen: { name: string; health: string; revision?: string }[] = [];
    const stop = new AbortController();
    const watching = provider.watch({
      signal: stop.signal,
      onChange: async changed => {
        for (const a of changed.applications)
          seen.push({
            name: a.name,
            health: a.healthStatus,
            revision: a.attemptedRevisions?.[0] ?? a.revisions[0],
          });
      },
    });
    // the informer lists first: every object, as they are
    const deadline = Date.now() + 10_000;
    while (!seen.some(s => s.name === 'inventory-dev')) {
      if (Date.now() > deadline) throw new Error('no initial list');
      await new Promise(r => setTimeout(r, 50));
    }
    const [pushed] = sb.flux.push({ cluster: 'flux-dev', repo: 'inventory' });
    while (
      !seen.some(
        s => s.name === 'inventory-dev' && s.revision === pushed.revision,
      )
    ) {
      if (Date.now() > deadline)
        throw new Error(`not seen: ${JSON.stringify(seen)}`);
      await new Promise(r => setTimeout(r, 50));
    }
    stop.abort();
    await watching;
    // the initial list reported each Kustomization's health too
    expect(seen.find(s => s.name === 'inventory-dev')?.health).toBeTruthy();
  });

  it('lists again when the watch history is compacted (410 Gone) and misses nothing', async () => {
    // a proxy that streams through and notes each list and watch request
    const requests: string[] = [];
    const proxy = http.createServer((req, res) => {
      if (req.url?.includes('/kustomizations')) requests.push(req.url);
      const upstream = http.request(
        `${sb.url}${req.url}`,
        { method: req.method, headers: req.headers },
        up => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      req.pipe(upstream);
      res.on('close', () => upstream.destroy());
    });
    await new Promise<void>(r => proxy.listen(0, '127.0.0.1', r));
    const { port } = proxy.address() as AddressInfo;
    const provider = cluster('flux-dev', {
      url: `http://127.0.0.1:${port}/k8s/flux-dev`,
    });
    await provider.read({});
    const revisions = new Map<string, string | undefined>();
    const stop = new AbortController();
    const watching = provider.watch({
      signal: stop.signal,
      onChange: async changed => {
        for (const a of changed.applications)
          revisions.set(a.name, a.attemptedRevisions?.[0] ?? a.revisions[0]);
      },
    });
    const until = async (what: string, ok: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!ok()) {
        if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
        await new Promise(r => setTimeout(r, 50));
      }
    };
    try {
      await until('the first watch', () =>
        requests.some(u => u.includes('watch=true')),
      );
      const watchesBefore = requests.filter(u => u.includes('watch=true'));
      const listsBefore = requests.length - watchesBefore.length;
      // the watch is from the list's resourceVersion
      expect(watchesBefore[0]).toMatch(/resourceVersion=\d+/);
      // the API server restarts with its history compacted, and meanwhile
      // a commit is pushed: the informer's re-watch is answered 410 Gone
      sb.compactWatches();
      const [pushed] = sb.flux.push({ cluster: 'flux-dev', repo: 'inventory' });
      await until(
        'the pushed revision',
        () => revisions.get('inventory-dev') === pushed.revision,
      );
      const lists = requests.filter(u => !u.includes('watch=true')).length;
      expect(lists).toBeGreaterThan(listsBefore);
    } finally {
      stop.abort();
      await watching;
      proxy.close();
    }
  });

  it('fails clearly for an unreachable cluster and a bad token', async () => {
    await expect(
      cluster('flux-dev', { url: 'http://127.0.0.1:1/k8s/flux-dev' }).read({}),
    ).rejects.toThrow(/Kubernetes cluster 'flux-dev' is unreachable/);
    const error = await cluster('flux-dev', { token: 'wrong-token-value' })
      .read({})
      .catch(e => e);
    expect(error.message).toMatch(/Kubernetes cluster 'flux-dev' answered 401/);
    expect(error.message).not.toContain('wrong-token-value');
  });

  it('reconciles source first, suspends and resumes through merge patches', async () => {
    const provider = cluster('flux-dev');
    const { applications } = await provider.read({});
    const app = applications.find(a => a.name === 'inventory-dev')!;
    await provider.refresh(app);
    const k = sb.flux.get(
      'flux-dev',
      'Kustomization',
      'flux-system',
      'inventory-dev',
    )!;
    const src = sb.flux.get(
      'flux-dev',
      'GitRepository',
      'flux-system',
      'inventory',
    )!;
    const requested =
      k.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'];
    expect(requested).toBeDefined();
    expect(
      src.metadata.annotations?.['reconcile.fluxcd.io/requestedAt'],
    ).toBeDefined();
    await provider.suspend(app);
    expect(k.spec.suspend).toBe(true);
    expect(
      (await provider.read({})).applications.find(
        a => a.name === 'inventory-dev',
      )?.healthStatus,
    ).toBe('Suspended');
    await provider.resume(app);
    expect(k.spec.suspend).toBe(false);
  });
});

describe('fluxStatus', () => {
  const obj = (conditions: any[], extra: any = {}) => ({
    status: { conditions, ...extra },
    spec: {},
  });
  it("maps a Kustomization a Flux Operator ResourceSet generated for a pull request to that pull request's preview", () => {
    // the ResourceSet's template writes the README's preview annotations
    // from its GitHubPullRequest input provider (<< inputs.id >>, …)
    const kustomization = {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: {
        name: 'checkout-pr-12',
        namespace: 'flux-system',
        creationTimestamp: '2026-12-07T09:00:00Z',
        labels: { 'backstage.io/kubernetes-id': 'checkout' },
        annotations: {
          'gitops-portal.io/preview-pull-request': '12',
          'gitops-portal.io/preview-title': 'Faster tax lookup',
          'gitops-portal.io/preview-author': 'erin',
          'gitops-portal.io/preview-head-sha': 'b'.repeat(40),
        },
      },
      spec: {
        interval: '10m',
        path: './deploy',
        prune: true,
        sourceRef: { kind: 'GitRepository', name: 'checkout-pr-12' },
      },
      status: {
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'ReconciliationSucceeded',
            message: `Applied revision: pr-12@sha1:${'b'.repeat(40)}`,
            lastTransitionTime: '2026-12-07T09:01:00Z',
          },
        ],
        lastAppliedRevision: `pr-12@sha1:${'b'.repeat(40)}`,
      },
    };
    expect(validateFlux(kustomization)).toEqual([]);
    const mapped = mapFluxObject(kustomization as any, {
      cluster: 'flux-dev',
      environments,
      sources: new Map(),
      readAt: '2026-12-07T09:02:00Z',
    });
    expect(mapped?.application).toMatchObject({
      environment: 'preview',
      preview: {
        pullRequest: {
          number: 12,
          title: 'Faster tax lookup',
          author: 'erin',
          headSha: 'b'.repeat(40),
        },
        createdAt: '2026-12-07T09:00:00.000Z',
      },
    });
    // without the annotation: its environment as configured
    const plain = mapFluxObject(
      {
        ...kustomization,
        metadata: { ...kustomization.metadata, annotations: {} },
      } as any,
      {
        cluster: 'flux-dev',
        environments,
        sources: new Map(),
        readAt: '2026-12-07T09:02:00Z',
      },
    );
    expect(plain?.application.environment).not.toBe('preview');
    expect(plain?.application.preview).toBeUndefined();
  });

  it('maps Ready, Reconciling and Stalled conditions', () => {
    expect(fluxStatus(obj([{ type: 'Ready', status: 'True' }]))).toMatchObject({
      syncStatus: 'Synced',
      healthStatus: 'Healthy',
    });
    expect(
      fluxStatus(
        obj([
          { type: 'Ready', status: 'Unknown' },
          { type: 'Reconciling', status: 'True', reason: 'Progressing' },
        ]),
      ),
    ).toMatchObject({ healthStatus: 'Progressing' });
    expect(
      fluxStatus(
        obj([
          { type: 'Ready', status: 'False' },
          {
            type: 'Stalled',
            status: 'True',
            reason: 'InvalidPath',
            message: 'path not found',
          },
        ]),
      ),
    ).toMatchObject({
      healthStatus: 'Degraded',
      message: 'path not found',
      phase: 'InvalidPath',
    });
    expect(fluxStatus({ spec: { suspend: true }, status: {} })).toMatchObject({
      healthStatus: 'Suspended',
    });
    expect(fluxStatus(obj([]))).toMatchObject({
      healthStatus: 'Unknown',
      syncStatus: 'Unknown',
    });
  });
});
