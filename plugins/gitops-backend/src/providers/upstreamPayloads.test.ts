/**
 * Real controller payloads, from the upstream projects' own test data and
 * documentation (packages/gitops-contracts, with source, commit and licence
 * in its SOURCES.md files), run through the one mapping of each engine and
 * the store's classification. Expected results are written from the
 * upstream documentation, cited beside each, not from our output.
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { TestDatabases } from '@backstage/backend-test-utils';
import { contractsDir } from '@gitops-portal/gitops-contracts';
import { DatabaseGitopsStore } from '../database/DatabaseGitopsStore';
import { EnvironmentConfig } from '../model/environments';
import { mapArgoApplication } from './argocd/mapArgo';
import { ArgoApplication } from './argocd/types';
import { mapFluxObject } from './flux/mapFlux';
import { FluxObject } from './flux/types';

const environments: EnvironmentConfig = {
  order: ['dev', 'staging', 'prod'],
  label: 'environment',
  fallback: 'default',
  rules: [],
};
const readAt = '2026-12-01T00:00:00.000Z';
const argoInstance = {
  name: 'main',
  url: 'https://argo.test',
  uiUrl: 'https://argo.test',
  skipTLSVerify: false,
  timeoutMs: 1000,
};

function docs(file: string): any[] {
  return yaml
    .loadAll(fs.readFileSync(path.join(contractsDir(), file), 'utf8'))
    .filter(Boolean) as any[];
}

const flux = (obj: FluxObject) =>
  mapFluxObject(obj, {
    cluster: 'c1',
    environments,
    sources: new Map(),
    readAt,
  })!;

const named = (status: object, kind: string, name = 'app'): FluxObject => ({
  apiVersion:
    kind === 'HelmRelease'
      ? 'helm.toolkit.fluxcd.io/v2'
      : 'kustomize.toolkit.fluxcd.io/v1',
  kind,
  metadata: { name, namespace: 'flux-system' },
  spec: {},
  status: status as FluxObject['status'],
});

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

async function storeOf(id: string) {
  const knex = await databases.init(id as 'SQLITE_3');
  return DatabaseGitopsStore.create({
    database: { getClient: async () => knex },
  });
}

/** Stores what a mapping read and answers its history oldest first, with kinds. */
async function storedHistory(
  store: DatabaseGitopsStore,
  mapped: ReturnType<typeof flux>,
) {
  await store.upsertApplications([mapped.application]);
  await store.addDeployments(mapped.deployments);
  const rows = await store.listDeployments({
    applicationIds: [mapped.application.id],
    limit: 100,
  });
  return rows.reverse();
}

describe('Kustomization history (kustomize-controller docs, v1 "### History")', () => {
  const [, , , snippet] = docs(
    'flux/examples/kustomization-status-snippets.kustomize-controller-docs.yaml',
  );

  it('reads a failure reason in lastReconciledStatus as a failed deployment', () => {
    // docs: lastReconciledStatus is the reason of the last reconciliation of
    // that revision: ReconciliationSucceeded, or a failure such as HealthCheckFailed
    const { deployments } = flux(named(snippet.status, 'Kustomization'));
    expect(
      deployments
        .map(d => [d.revisions[0], d.result, d.finishedAt, d.contentDigest])
        .sort(),
    ).toEqual([
      [
        'v1.0.0@sha1:67e2c98a60dc92283531412a9e604dd4bae005a9',
        'Failed',
        '2025-07-14T13:10:00Z',
        'sha256:ec8dbfe61777b65001190260cf873ffe454451bd2e464bd6f9a154cffcdcd7e5',
      ],
      [
        'v1.0.1@sha1:450796ddb2ab6724ee1cc32a4be56da032d1cca0',
        'Succeeded',
        '2025-08-15T10:11:00Z',
        'sha256:43ad78c94b2655429d84f21488f29d7cca9cd45b7f54d2b27e16bbec8eff9228',
      ],
    ]);
  });

  it.each([
    'ReconciliationFailed',
    'BuildFailed',
    'ArtifactFailed',
    'PruneFailed',
  ])('reads %s as failed', reason => {
    const { deployments } = flux(
      named(
        {
          history: [
            {
              ...snippet.status.history[0],
              lastReconciledStatus: reason,
            },
          ],
        },
        'Kustomization',
      ),
    );
    expect(deployments.map(d => d.result)).toEqual(['Failed']);
  });
});

describe('HelmRelease history (helm-controller docs v2, "#### History example")', () => {
  const [upstream] = docs(
    'flux/examples/helmrelease-status-snippets.helm-controller-docs.yaml',
  );

  it('records each release revision with its own finish time, not the first install time', () => {
    // docs: firstDeployed is when the release was first deployed (kept on
    // every revision); lastDeployed when this revision was
    const { application, deployments } = flux(
      named(upstream.status, 'HelmRelease', 'podinfo'),
    );
    expect(application.revisions).toEqual(['6.6.1+0cc9a8446c95']);
    expect(
      deployments
        .map(d => [d.revisions[0], d.result, d.startedAt, d.finishedAt])
        .sort(),
    ).toEqual([
      [
        '6.6.0+cdd538a0167e',
        'Succeeded',
        '2024-05-07T04:54:21Z',
        '2024-05-07T04:54:21Z',
      ],
      [
        '6.6.1+0cc9a8446c95',
        'Succeeded',
        '2024-05-07T04:54:55Z',
        '2024-05-07T04:54:55Z',
      ],
    ]);
  });

  it('ends the newest revision when its Released condition says, so a slow upgrade and its event are one deployment', () => {
    // docs (Conditions): helm-controller sets Released to
    // InstallSucceeded/UpgradeSucceeded (or ...Failed) when the Helm action
    // of the latest release ends; lastDeployed is when that release started
    const released = (reason: string, at: string) => ({
      ...upstream.status,
      conditions: [
        {
          type: 'Released',
          status: reason.endsWith('Succeeded') ? 'True' : 'False',
          reason,
          message: `Helm upgrade succeeded for release podinfo/podinfo.v2 with chart podinfo@6.6.1+0cc9a8446c95`,
          lastTransitionTime: at,
        },
      ],
    });
    const times = (status: object) =>
      flux(named(status, 'HelmRelease', 'podinfo'))
        .deployments.map(d => [d.revisions[0], d.startedAt, d.finishedAt])
        .sort();
    // a 2-minute upgrade: it ended at 04:56:55, not when it started
    expect(times(released('UpgradeSucceeded', '2024-05-07T04:56:55Z'))).toEqual(
      [
        ['6.6.0+cdd538a0167e', '2024-05-07T04:54:21Z', '2024-05-07T04:54:21Z'],
        ['6.6.1+0cc9a8446c95', '2024-05-07T04:54:55Z', '2024-05-07T04:56:55Z'],
      ],
    );
    // a condition of another action (a failure, while the newest is
    // deployed), or older than the release, tells nothing of its end
    for (const status of [
      released('UpgradeFailed', '2024-05-07T04:56:55Z'),
      released('UpgradeSucceeded', '2024-05-07T04:50:00Z'),
      released('TestSucceeded', '2024-05-07T04:56:55Z'),
    ])
      expect(times(status)[1][2]).toBe('2024-05-07T04:54:55Z');
  });

  // The docs' snapshot fields, for one chart version upgraded three times
  // after its install: a values-only upgrade (configDigest changes), a failed
  // upgrade (status failed) and its retry. Helm keeps firstDeployed on every
  // revision (as in the docs' example, where v2 repeats v1's firstDeployed).
  const snapshot = (
    version: number,
    config: string,
    status: string,
    at: string,
  ) => ({
    ...upstream.status.history[0],
    chartVersion: '6.6.1+0cc9a8446c95',
    appVersion: '6.6.1',
    configDigest: `sha256:${config.repeat(64)}`,
    firstDeployed: '2024-05-07T04:54:21Z',
    lastDeployed: at,
    status,
    version,
  });
  const threeUpgrades = {
    history: [
      // then the values of revision 2 again (the values change reverted)
      snapshot(5, 'b', 'deployed', '2024-05-07T06:30:00Z'),
      snapshot(4, 'c', 'superseded', '2024-05-07T06:00:00Z'),
      snapshot(3, 'c', 'failed', '2024-05-07T05:30:00Z'),
      snapshot(2, 'b', 'superseded', '2024-05-07T05:00:00Z'),
      snapshot(1, 'a', 'superseded', '2024-05-07T04:54:21Z'),
    ],
  };

  describe.each(databases.eachSupportedId())('on %s', id => {
    it('keeps a values-only upgrade, a failed upgrade, its retry and a revert of the values apart', async () => {
      const store = await storeOf(id);
      const rows = await storedHistory(
        store,
        flux(named(threeUpgrades, 'HelmRelease', 'podinfo')),
      );
      expect(rows.map(r => [r.finishedAt, r.result, r.kind])).toEqual([
        ['2024-05-07T04:54:21.000Z', 'Succeeded', 'new-commit'], // install
        ['2024-05-07T05:00:00.000Z', 'Succeeded', 'new-commit'], // new values
        ['2024-05-07T05:30:00.000Z', 'Failed', 'failed'],
        ['2024-05-07T06:00:00.000Z', 'Succeeded', 'new-commit'], // the retry
        ['2024-05-07T06:30:00.000Z', 'Succeeded', 'rollback'], // values b again
      ]);
      // read again (the next poll): nothing recorded twice
      await store.addDeployments(
        flux(named(threeUpgrades, 'HelmRelease', 'podinfo')).deployments,
      );
      expect(
        await store.listDeployments({
          applicationIds: [rows[0].applicationId],
          limit: 100,
        }),
      ).toHaveLength(5);
    });
  });

  it('shows the revision of a Ready release that keeps no history (lastAppliedRevision)', () => {
    // helm-controller v2beta1 API: status.lastAppliedRevision is the chart
    // version of the last successful release; there is no status.history
    const { application } = flux(
      named(
        {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'ReconciliationSucceeded',
              message: 'Release reconciliation succeeded',
              lastTransitionTime: '2024-01-01T00:00:00Z',
            },
          ],
          lastAppliedRevision: '6.0.0',
          lastAttemptedRevision: '6.0.0',
        },
        'HelmRelease',
        'podinfo',
      ),
    );
    expect(application).toMatchObject({
      revisions: ['6.0.0'],
      lastSyncedAt: '2024-01-01T00:00:00Z',
      healthStatus: 'Healthy',
    });
    expect(application.attemptedRevisions).toBeUndefined();
  });
});

describe('a malformed object', () => {
  it('is answered as unknown with the reason, and reads nothing wrong about the others', () => {
    const [, withInventory] = docs(
      'flux/examples/kustomizations-with-inventory.flux2-testdata.yaml',
    );
    const odd = named(
      { ...withInventory.status, inventory: { entries: { id: 'x' } } },
      'Kustomization',
      'odd',
    );
    expect(flux(odd).application.name).toBe('odd');
    const broken = named(
      { conditions: { Ready: 'True' } },
      'Kustomization',
      'broken',
    );
    expect(flux(broken).application).toMatchObject({
      id: 'flux:c1:flux-system:Kustomization/broken',
      healthStatus: 'Unknown',
      syncStatus: 'Unknown',
      message: expect.stringContaining('could not be read'),
    });
  });
});

describe('Argo CD Application (argo-cd controller/testdata/diff-cache.yaml)', () => {
  const [app] = docs(
    'argocd/examples/application-with-status.argo-cd-testdata.yaml',
  ) as ArgoApplication[];
  const argo = (item: ArgoApplication) =>
    mapArgoApplication(item, { instance: argoInstance, environments, readAt })!;

  describe.each(databases.eachSupportedId())('on %s', id => {
    it('records ten syncs of one revision once each, as redeploys: the app has no automated sync', async () => {
      // Argo CD docs (auto_sync.md): without spec.syncPolicy.automated the
      // controller never syncs on its own, so a self-heal cannot happen; the
      // history entries carry no initiatedBy.automated
      expect(app.spec).not.toHaveProperty('syncPolicy.automated');
      const store = await storeOf(id);
      const rows = await storedHistory(store, argo(app));
      expect(rows).toHaveLength(10);
      expect(rows.map(r => r.kind)).toEqual([
        'new-commit',
        ...Array(9).fill('redeploy'),
      ]);
      expect(rows[9]).toMatchObject({
        finishedAt: '2024-03-05T07:33:04.000Z',
        startedAt: expect.any(String),
      });
    });
  });

  it('shows an application with a requested operation as syncing', () => {
    // Argo CD API: `operation` is set when a sync is requested and stays
    // until it completes; operationState tells the last one that ran
    const requested = {
      ...app,
      operation: {
        sync: { revision: app.status!.sync!.revision },
        initiatedBy: { username: 'alice' },
      },
    } as ArgoApplication;
    expect(argo(app).application.operationPhase).toBe('Succeeded');
    expect(argo(requested).application).toMatchObject({
      operationPhase: 'Running',
      message: 'Sync requested by alice, waiting for the controller',
    });
  });
});

describe('sync policy, as the upstream objects declare it', () => {
  it('reads Argo CD spec.syncPolicy.automated (application-spec-reference from the Argo CD docs)', () => {
    // docs: automated sync with prune and selfHeal; without `automated`
    // (the controller testdata app) the application syncs only when asked
    const [reference] = docs(
      'argocd/examples/application-spec-reference.docs.yaml',
    ) as ArgoApplication[];
    const mapped = mapArgoApplication(reference, {
      instance: argoInstance,
      environments,
      readAt,
    })!;
    expect(mapped.application.syncPolicy).toEqual({
      automated: true,
      selfHeal: true,
      prune: true,
    });
    const [manual] = docs(
      'argocd/examples/application-with-status.argo-cd-testdata.yaml',
    ) as ArgoApplication[];
    expect(
      mapArgoApplication(manual, {
        instance: argoInstance,
        environments,
        readAt,
      })!.application.syncPolicy,
    ).toEqual({ automated: false, selfHeal: false, prune: false });
    // 3.x: automated.enabled: false turns it off while keeping its settings
    const off = {
      ...reference,
      spec: {
        ...reference.spec,
        syncPolicy: {
          automated: { enabled: false, prune: true, selfHeal: true },
        },
      },
    };
    expect(
      mapArgoApplication(off, { instance: argoInstance, environments, readAt })!
        .application.syncPolicy,
    ).toEqual({ automated: false, selfHeal: false, prune: false });
  });

  it("reads a Kustomization's interval and prune (flux2 testdata), and suspend", () => {
    const [, kustomization] = docs(
      'flux/examples/kustomization-ready.flux2-testdata.yaml',
    ) as FluxObject[];
    expect(flux(kustomization).application.syncPolicy).toEqual({
      automated: true,
      selfHeal: true,
      prune: true,
      interval: '5m',
    });
    expect(
      flux({ ...kustomization, spec: { ...kustomization.spec, suspend: true } })
        .application.syncPolicy,
    ).toEqual({
      automated: false,
      selfHeal: false,
      prune: true,
      interval: '5m',
    });
  });

  it('corrects a HelmRelease in the cluster only with drift detection enabled (helm-controller docs)', () => {
    const release = named({}, 'HelmRelease');
    expect(flux(release).application.syncPolicy).toMatchObject({
      automated: true,
      selfHeal: false,
    });
    expect(
      flux({
        ...release,
        spec: { interval: '10m', driftDetection: { mode: 'enabled' } },
      }).application.syncPolicy,
    ).toEqual({
      automated: true,
      selfHeal: true,
      prune: true,
      interval: '10m',
    });
  });
});
