import { validateArgo, validateRollout } from '@gitops-portal/gitops-contracts';
import { ArgoSandbox } from './ArgoSandbox';
import { demoFleet, SandboxAppSpec } from './fleet';
import type { GitFleet } from './GitFleet';

describe('ArgoSandbox', () => {
  it('reports images and resources; the 3.x-style instance keeps resource health in the tree', () => {
    const sandbox = new ArgoSandbox(demoFleet());
    const v2 = sandbox.application('main', 'catalog-api-staging')!;
    const v3 = sandbox.application('prod', 'checkout-prod')!;
    for (const app of [v2, v3])
      expect(validateArgo('v1alpha1Application', app)).toEqual([]);
    expect(v2.status.summary.images[0]).toMatch(
      /^ghcr\.io\/acme\/catalog-api:[0-9a-f]{7}$/,
    );
    expect(v2.status.resources.map((r: any) => r.kind)).toEqual([
      'Deployment',
      'Service',
      'ConfigMap',
    ]);
    // 2.x: health inline; catalog-api-staging always ends Degraded
    expect((v2.status.resources[0] as any).health.status).toBe('Degraded');
    expect(v2.status).not.toHaveProperty('resourceHealthSource');
    // 3.x: none inline, the tree has it
    expect(v3.status.resourceHealthSource).toBe('appTree');
    expect(v3.status.resources.some((r: any) => r.health)).toBe(false);
    const tree = sandbox.tree('prod', 'checkout-prod')!;
    expect(validateArgo('v1alpha1ApplicationTree', tree)).toEqual([]);
    expect(tree.nodes.map((n: any) => n.kind)).toEqual([
      'Deployment',
      'Service',
      'ConfigMap',
      'ReplicaSet',
      'Pod',
    ]);
    expect(sandbox.tree('prod', 'nope')).toBeUndefined();
  });

  it('drifts by hand and self-heals by re-applying the same revision', () => {
    let now = Date.parse('2026-11-23T10:00:00Z');
    const sandbox = new ArgoSandbox(demoFleet(), {
      now: () => now,
      syncSeconds: 6,
    });
    const app = () => sandbox.application('prod', 'payments-prod')!;
    const before = app().status.history.length;
    const revision = app().status.sync.revision;
    now += 91_000;
    sandbox.tick();
    expect(app().status.sync.status).toBe('OutOfSync');
    expect(
      app().status.resources.find((r: any) => r.kind === 'ConfigMap')!.status,
    ).toBe('OutOfSync');
    for (let i = 0; i < 20; i++) {
      now += 1000;
      sandbox.tick();
    }
    const after = app();
    expect(after.status.sync.status).toBe('Synced');
    expect(after.status.history.length).toBeGreaterThanOrEqual(
      Math.min(before + 1, 10),
    );
    const last = after.status.history.at(-1)!;
    expect(last.revision).toBe(revision);
    expect(last.initiatedBy).toEqual({ automated: true });
  });

  it('syncs a promotion merged while a self-heal is pending to the promoted commit, and records the source it applied', () => {
    // a ground-truth soak once found a "self-heal" of the old commit
    // recorded with the promoted spec's source: the drift's sync started
    // from the old head although the spec had moved
    let now = Date.parse('2026-11-23T10:00:00Z');
    const commits = ['a', 'b', 'c'].map(c => c.repeat(40));
    const git = {
      has: () => true,
      at: (_repo: string, n: number) => commits[Math.min(n, 3) - 1],
      head: () => commits[1],
      between: () => 1,
    } as unknown as GitFleet;
    const spec: SandboxAppSpec = {
      instance: 'prod',
      name: 'shop-prod',
      namespace: 'argocd',
      project: 'default',
      labels: {},
      repoURL: 'http://localhost/git/shop.git',
      path: 'deploy',
      targetRevision: commits[1],
      destination: { namespace: 'shop' },
      followBranch: true,
      initialDeployments: 2,
    };
    const sandbox = new ArgoSandbox([spec], { now: () => now, git });
    const running = () =>
      sandbox.application('prod', 'shop-prod')!.status.sync.revision;
    expect(running()).toBe(commits[1]);
    expect(sandbox.drift('prod', 'shop-prod')).toBe(true);
    now += 8_000; // the self-heal is due at the next tick
    // the promotion pins the next commit before that tick
    expect(
      sandbox.apply({ ...spec, targetRevision: commits[2] }, 'promotion'),
    ).toBe('updated');
    for (let i = 0; i < 20; i++) {
      now += 1000;
      sandbox.tick();
    }
    const history = sandbox.application('prod', 'shop-prod')!.status.history;
    expect(running()).toBe(commits[2]);
    // no history entry runs one commit with another's source
    expect(
      history
        .filter((h: any) => h.source.targetRevision === commits[2])
        .map((h: any) => h.revision),
    ).toEqual([commits[2]]);
    const since = new Date(now - 30_000).toISOString();
    expect(
      sandbox
        .groundTruth()
        .filter(t => t.finishedAt > since)
        .map(t => [t.kind, t.revision]),
    ).toEqual([['promotion', commits[2]]]);
  });

  it('serves a hydrated application (3.x source hydrator) that validates against the contract', () => {
    const sandbox = new ArgoSandbox(demoFleet());
    const app = sandbox.application('prod', 'search-prod')! as any;
    expect(validateArgo('v1alpha1Application', app)).toEqual([]);
    expect(app.spec.source).toBeUndefined();
    expect(app.spec.sourceHydrator.syncSource.targetBranch).toBe(
      'environments/prod',
    );
    const { drySHA, hydratedSHA } =
      app.status.sourceHydrator.lastSuccessfulOperation;
    expect(app.status.history.at(-1).revision).toBe(hydratedSHA);
    expect(drySHA).not.toBe(hydratedSHA);
  });

  it('runs an Argo Rollouts canary step by step, served through the resource endpoint', () => {
    let now = Date.parse('2026-11-23T10:00:00Z');
    const sandbox = new ArgoSandbox(demoFleet(), { now: () => now });
    const query = {
      group: 'argoproj.io',
      kind: 'Rollout',
      name: 'recommendations',
    };
    const seen: Array<{ step: number; phase: string; health: string }> = [];
    // 6 steps of 12 s, then 24 s stable: one cycle is 96 s
    for (let t = 0; t < 96; t += 12) {
      const app = sandbox.application('main', 'recommendations-prod')!;
      expect(validateArgo('v1alpha1Application', app)).toEqual([]);
      const live = sandbox.liveResource(
        'main',
        'recommendations-prod',
        undefined,
        query,
      )!;
      expect(
        validateArgo('applicationApplicationResourceResponse', live),
      ).toEqual([]);
      const rollout = JSON.parse(live.manifest);
      expect(validateRollout(rollout)).toEqual([]);
      expect(app.status.resources[0]).toMatchObject({
        group: 'argoproj.io',
        kind: 'Rollout',
        name: 'recommendations',
      });
      seen.push({
        step: rollout.status.currentStepIndex,
        phase: rollout.status.phase,
        health: app.status.health.status,
      });
      now += 12_000;
    }
    expect(seen).toEqual([
      { step: 0, phase: 'Progressing', health: 'Progressing' },
      { step: 1, phase: 'Paused', health: 'Suspended' },
      { step: 2, phase: 'Progressing', health: 'Progressing' },
      { step: 3, phase: 'Paused', health: 'Suspended' },
      { step: 4, phase: 'Progressing', health: 'Progressing' },
      { step: 5, phase: 'Paused', health: 'Suspended' },
      { step: 6, phase: 'Healthy', health: 'Healthy' },
      { step: 6, phase: 'Healthy', health: 'Healthy' },
    ]);
    // other resources and apps have no live Rollout
    expect(
      sandbox.liveResource('main', 'recommendations-prod', undefined, {
        ...query,
        name: 'other',
      }),
    ).toBeUndefined();
    expect(
      sandbox.liveResource('main', 'checkout-staging', undefined, query),
    ).toBeUndefined();
  });

  it('serves an ApplicationSet with a progressive sync that validates against the contract', () => {
    const sandbox = new ArgoSandbox(demoFleet());
    const list = sandbox.applicationSets('main');
    expect(validateArgo('v1alpha1ApplicationSetList', list)).toEqual([]);
    const [set] = list.items;
    expect(set.metadata.name).toBe('checkout');
    expect((set.spec as any).strategy.rollingSync.steps).toHaveLength(2);
    expect(
      set.status.applicationStatus.map(a => [a.application, a.step]),
    ).toEqual([
      ['checkout-dev', '1'],
      ['checkout-staging', '2'],
    ]);
    expect(sandbox.applicationSets('prod').items).toEqual([]);
  });
});
