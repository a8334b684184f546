import { createHash } from 'node:crypto';
import { sha } from './fleet';
import { GitFleet } from './GitFleet';
import type { FluxReconciledEvent } from './notifier';
import { GroundTruthDeployment, groundTruthKind } from './groundTruth';

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    generation: number;
    resourceVersion: string;
    uid: string;
    creationTimestamp: string;
  };
  spec: Record<string, any>;
  status: Record<string, any>;
};

/** A Flux object as committed to the fleet repository. */
export interface FluxManifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
  spec: Record<string, any>;
}

interface Rollout {
  cluster: string;
  kustomization: Obj;
  source: Obj;
  revision: string;
  startedAt: number;
}

/** A Helm upgrade helm-controller is running (the release revision is pending). */
interface HelmUpgrade {
  cluster: string;
  release: Obj;
  version: number;
  chartVersion: string;
  values: string;
  fail: boolean;
  startedAt: number;
}

/** What a Helm upgrade may change: the chart version, the values, or neither (a retry). */
export interface HelmUpgradeRequest {
  cluster?: string;
  namespace?: string;
  name?: string;
  /** The chart version to install; the running one if not given. */
  chartVersion?: string;
  /** A tag for the values: other values give another `configDigest`. */
  values?: string;
  /** The upgrade fails (a hook or a health check). */
  fail?: boolean;
}

const iso = (ms: number) =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const digest = (s: string) =>
  `sha256:${createHash('sha256').update(s).digest('hex')}`;

function meta(
  name: string,
  namespace: string,
  labels?: Record<string, string>,
) {
  return {
    name,
    namespace,
    ...(labels ? { labels } : {}),
    generation: 1,
    resourceVersion: '1',
    uid: sha(`${namespace}/${name}`).slice(0, 32),
    creationTimestamp: '2026-01-01T00:00:00Z',
  };
}

function ready(
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
  at: number,
) {
  return {
    type: 'Ready',
    status,
    reason,
    message,
    lastTransitionTime: iso(at),
    observedGeneration: 1,
  };
}

const FAILING = 'inventory-staging';

/** `status.inventory` of an app that applies a Namespace, Service and Deployment. */
function inventory(namespace: string, name: string) {
  return {
    entries: [
      { id: `_${namespace}__Namespace`, v: 'v1' },
      { id: `${namespace}_${name}__Service`, v: 'v1' },
      { id: `${namespace}_${name}_apps_Deployment`, v: 'v1' },
    ],
  };
}

/** The short commit of a Flux revision (`main@sha1:<sha>`), as an image tag. */
const tagOf = (revision: string | undefined) =>
  revision?.match(/[0-9a-f]{40}/)?.[0].slice(0, 7) ?? 'latest';

/**
 * Flux objects of two clusters (`flux-dev`, `flux-prod`) as the Kubernetes API
 * serves them: GitRepositories, Kustomizations, a HelmRepository and a
 * HelmRelease with history, one failing and one suspended Kustomization.
 */
export class FluxSandbox {
  private readonly objects = new Map<string, Obj[]>();
  private rollouts: Rollout[] = [];
  /** Objects created from the fleet repository (cluster/kind/namespace/name). */
  private readonly fleetKeys = new Set<string>();
  private commits = 0;
  private helmUpgrades: HelmUpgrade[] = [];
  private readonly truth: GroundTruthDeployment[] = [];
  /** Per application, what ran successfully, oldest first (revision and content). */
  private readonly deployed = new Map<string, string[]>();
  /** The values (a tag) each HelmRelease runs with. */
  private readonly helmValues = new Map<string, string>();

  constructor(
    private readonly options: {
      now?: () => number;
      syncSeconds?: number;
      /** Clusters beyond flux-dev and flux-prod (named flux-0, flux-1, ...). */
      extraClusters?: number;
      git?: GitFleet;
      /** Told about every finished rollout, as notification-controller would. */
      onReconciled?: (event: FluxReconciledEvent) => void;
    } = {},
  ) {
    const now = this.now();
    const gitRepo = (name: string) => this.source(name, now);
    const devRepo = gitRepo('inventory');
    const prodRepo = gitRepo('inventory');
    const configRepo = gitRepo('checkout-config');
    this.objects.set('flux-dev', [
      devRepo,
      configRepo,
      this.kustomization('inventory-dev', 'inventory', 'dev', devRepo, now, 6),
      this.kustomization(FAILING, 'inventory', 'staging', devRepo, now, 4),
      this.kustomization(
        'checkout-config',
        'checkout',
        'dev',
        configRepo,
        now,
        3,
      ),
    ]);
    const helmRepo: Obj = {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: meta('podinfo', 'flux-system'),
      spec: { interval: '1h', url: 'http://localhost:7008/charts/podinfo' },
      status: {
        conditions: [
          ready(
            'True',
            'Succeeded',
            'stored artifact: revision sha256:9f2b',
            now,
          ),
        ],
        observedGeneration: 1,
      },
    };
    const suspended = this.kustomization(
      'legacy-batch',
      'legacy-batch',
      'prod',
      prodRepo,
      now,
      2,
    );
    suspended.spec.suspend = true;
    const podinfo = this.helmRelease(now);
    this.objects.set('flux-prod', [
      prodRepo,
      helmRepo,
      this.kustomization(
        'inventory-prod',
        'inventory',
        'prod',
        prodRepo,
        now,
        5,
      ),
      suspended,
      podinfo,
    ]);
    // what the release ran before the sandbox started (chart#values)
    const podinfoKey = this.key('flux-prod', podinfo);
    this.deployed.set(podinfoKey, ['6.5.4#1', '6.6.0#2', '6.6.1#3']);
    this.helmValues.set(podinfoKey, '3');
    // more clusters, for load: each runs inventory from its own source
    for (let i = 0; i < (this.options.extraClusters ?? 0); i++) {
      const source = gitRepo('inventory');
      this.objects.set(`flux-${i}`, [
        source,
        this.kustomization(
          `inventory-${i}`,
          'inventory',
          'dev',
          source,
          now,
          3,
        ),
      ]);
    }
  }

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  clusters(): string[] {
    return [...this.objects.keys()];
  }

  private revision(repo: string, n: number) {
    if (this.options.git?.has(repo))
      return `main@sha1:${this.options.git.at(repo, n)}`;
    return `main@sha1:${sha(`http://localhost:7008/git/${repo}.git#${n}`)}`;
  }

  private source(name: string, now: number): Obj {
    const revision = this.revision(name, 10);
    return {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: meta(name, 'flux-system'),
      spec: {
        interval: '1m',
        url: `http://localhost:7008/git/${name}.git`,
        ref: { branch: 'main' },
      },
      status: {
        artifact: {
          revision,
          digest: digest(revision),
          lastUpdateTime: iso(now - 3_600_000),
          path: `gitrepository/flux-system/${name}/${revision.slice(
            10,
            50,
          )}.tar.gz`,
          url: `http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/${name}/latest.tar.gz`,
        },
        conditions: [
          ready(
            'True',
            'Succeeded',
            `stored artifact for revision '${revision}'`,
            now - 3_600_000,
          ),
        ],
        observedGeneration: 1,
      },
    };
  }

  private kustomization(
    name: string,
    id: string,
    env: string,
    source: Obj,
    now: number,
    deployments: number,
  ): Obj {
    const repo = source.metadata.name;
    const history = Array.from({ length: deployments }, (_, i) => {
      const n = 10 - deployments + i + 1;
      const at = now - (deployments - i) * 3_600_000;
      const revision = this.revision(repo, n);
      return {
        digest: digest(`${name}#${revision}`),
        firstReconciled: iso(at),
        lastReconciled: iso(at + 600_000),
        lastReconciledDuration: '1.2s',
        lastReconciledStatus: 'success',
        metadata: { revision },
        totalReconciliations: 10,
      };
    }).reverse(); // newest first, as kustomize-controller keeps it
    const failing = name === FAILING;
    // the failing one never applied the newest revision: it attempted it
    if (failing) history.shift();
    const applied = history[0].metadata.revision;
    const attempted = failing ? source.status.artifact.revision : applied;
    return {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: meta(name, 'flux-system', {
        'backstage.io/kubernetes-id': id,
        environment: env,
      }),
      spec: {
        interval: '5m',
        path: `./deploy/${env}`,
        prune: true,
        sourceRef: { kind: 'GitRepository', name: repo },
        targetNamespace: `${id}-${env}`,
        wait: true,
      },
      status: {
        conditions: failing
          ? [
              ready(
                'False',
                'HealthCheckFailed',
                `health check failed after 5m0s: timeout waiting for: [Deployment/${id}-${env}/${id} status: 'InProgress']`,
                now - 600_000,
              ),
              {
                type: 'Healthy',
                status: 'False',
                reason: 'HealthCheckFailed',
                message: 'timeout waiting for Deployment',
                lastTransitionTime: iso(now - 600_000),
                observedGeneration: 1,
              },
            ]
          : [
              ready(
                'True',
                'ReconciliationSucceeded',
                `Applied revision: ${applied}`,
                now - 600_000,
              ),
            ],
        lastAppliedRevision: applied,
        lastAttemptedRevision: attempted,
        observedGeneration: 1,
        inventory: inventory(`${id}-${env}`, id),
        history: failing
          ? [
              {
                digest: digest(`${name}#${attempted}`),
                firstReconciled: iso(now - 900_000),
                lastReconciled: iso(now - 600_000),
                lastReconciledDuration: '5m0s',
                lastReconciledStatus: 'failure',
                metadata: { revision: attempted },
                totalReconciliations: 3,
              },
              ...history,
            ]
          : history,
      },
    };
  }

  private helmRelease(now: number): Obj {
    const entry = (
      version: number,
      chartVersion: string,
      status: string,
      at: number,
      values = String(version),
    ) => ({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      chartName: 'podinfo',
      chartVersion,
      appVersion: chartVersion,
      configDigest: digest(`config-${values}`),
      digest: digest(`release-${version}`),
      // Helm keeps the first install time on every revision
      firstDeployed: iso(now - 172_800_000),
      lastDeployed: iso(at),
      name: 'podinfo',
      namespace: 'podinfo',
      status,
      action: version === 1 ? 'install' : 'upgrade',
      version,
    });
    return {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: meta('podinfo', 'podinfo', {
        'backstage.io/kubernetes-id': 'podinfo',
        environment: 'prod',
      }),
      spec: {
        interval: '10m',
        chart: {
          spec: {
            chart: 'podinfo',
            version: '6.x',
            sourceRef: {
              kind: 'HelmRepository',
              name: 'podinfo',
              namespace: 'flux-system',
            },
          },
        },
        releaseName: 'podinfo',
        driftDetection: { mode: 'enabled' },
        values: { image: { repository: 'ghcr.io/stefanprodan/podinfo' } },
      },
      status: {
        inventory: inventory('podinfo', 'podinfo'),
        conditions: [
          ready(
            'True',
            'UpgradeSucceeded',
            'Helm upgrade succeeded for release podinfo/podinfo.v3 with chart podinfo@6.6.1',
            now - 7_200_000,
          ),
        ],
        history: [
          entry(3, '6.6.1', 'deployed', now - 7_200_000),
          entry(2, '6.6.0', 'superseded', now - 86_400_000),
          entry(1, '6.5.4', 'superseded', now - 172_800_000),
        ],
        lastAttemptedRevision: '6.6.1',
        lastAttemptedReleaseAction: 'upgrade',
        observedGeneration: 1,
        storageNamespace: 'podinfo',
      },
    };
  }

  /**
   * Every deployment the Flux controllers performed since the sandbox
   * started, in order: the ground truth (Kustomization rollouts and Helm
   * release revisions). `kind` is decided from what ran before, as
   * ArgoSandbox does: another chart version or other values is a new
   * deployment, what ran before a rollback, a failure a failure.
   */
  groundTruth(): GroundTruthDeployment[] {
    return [...this.truth];
  }

  private record(
    cluster: string,
    obj: Obj,
    d: {
      revision: string;
      content?: string;
      startedAt: number;
      finishedAt: number;
      failed: boolean;
      initiatedBy: string;
    },
  ) {
    const key = this.key(cluster, obj);
    const ran = this.deployed.get(key) ?? [];
    const what = `${d.revision}#${d.content ?? ''}`;
    const kind = groundTruthKind({ applied: what, ran, failed: d.failed });
    if (!d.failed) this.deployed.set(key, [...ran, what]);
    this.truth.push({
      engine: 'flux',
      instance: cluster,
      namespace: obj.metadata.namespace,
      name: `${obj.kind}/${obj.metadata.name}`,
      revision: d.revision,
      startedAt: iso(d.startedAt),
      finishedAt: iso(d.finishedAt),
      result: d.failed ? 'Failed' : 'Succeeded',
      initiatedBy: d.initiatedBy,
      kind,
    });
  }

  /**
   * Starts a Helm upgrade of a HelmRelease, as helm-controller does when its
   * chart version or values change (or it retries a failed upgrade): a new
   * release revision, `pending-upgrade` until it ends `deployed` (the one
   * before `superseded`) or `failed`. Every revision keeps the release's
   * first install time in `firstDeployed`; `lastDeployed` is when this one
   * started. Answers undefined for an unknown release or one mid-upgrade.
   */
  upgradeHelm(request: HelmUpgradeRequest = {}) {
    const cluster = request.cluster ?? 'flux-prod';
    const release = this.get(
      cluster,
      'HelmRelease',
      request.namespace ?? 'podinfo',
      request.name ?? 'podinfo',
    );
    if (!release || this.helmUpgrades.some(u => u.release === release))
      return undefined;
    const now = this.now();
    const history: any[] = release.status.history ?? [];
    const latest = history[0];
    const running = history.find(h => h.status === 'deployed') ?? latest;
    const upgrade: HelmUpgrade = {
      cluster,
      release,
      version: (latest?.version ?? 0) + 1,
      chartVersion: request.chartVersion ?? running?.chartVersion ?? '1.0.0',
      values:
        request.values ??
        this.helmValues.get(this.key(cluster, release)) ??
        'default',
      fail: Boolean(request.fail),
      startedAt: now,
    };
    const entry = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      chartName: latest?.chartName ?? release.metadata.name,
      chartVersion: upgrade.chartVersion,
      appVersion: upgrade.chartVersion,
      configDigest: digest(`config-${upgrade.values}`),
      digest: digest(`release-${upgrade.version}-${now}`),
      firstDeployed: latest?.firstDeployed ?? iso(now),
      lastDeployed: iso(now),
      name: release.metadata.name,
      namespace: release.metadata.namespace,
      status: 'pending-upgrade',
      action: 'upgrade',
      version: upgrade.version,
    };
    // helm-controller keeps 5 snapshots (spec.maxHistory defaults higher in Helm)
    release.status.history = [entry, ...history].slice(0, 5);
    release.status.lastAttemptedRevision = upgrade.chartVersion;
    release.status.lastAttemptedConfigDigest = entry.configDigest;
    release.status.lastAttemptedReleaseAction = 'upgrade';
    release.status.conditions = [
      ready('Unknown', 'Progressing', 'Fulfilling prerequisites', now),
    ];
    this.helmUpgrades.push(upgrade);
    return {
      cluster,
      name: release.metadata.name,
      version: upgrade.version,
      chartVersion: upgrade.chartVersion,
    };
  }

  /** Ends the Helm upgrades whose time has come. */
  private finishHelmUpgrades(now: number, syncMs: number) {
    this.helmUpgrades = this.helmUpgrades.filter(u => {
      if (now - u.startedAt < syncMs) return true;
      const release = u.release;
      const history: any[] = release.status.history ?? [];
      for (const h of history) {
        if (h.version === u.version) h.status = u.fail ? 'failed' : 'deployed';
        else if (!u.fail && h.status === 'deployed') h.status = 'superseded';
      }
      const name = `${release.metadata.namespace}/${release.metadata.name}`;
      const chart = `${history[0]?.chartName}@${u.chartVersion}`;
      const message = u.fail
        ? `Helm upgrade failed for release ${name} with chart ${chart}: context deadline exceeded`
        : `Helm upgrade succeeded for release ${name}.v${u.version} with chart ${chart}`;
      const reason = u.fail ? 'UpgradeFailed' : 'UpgradeSucceeded';
      // Released says how the last Helm action ended; Ready the object's state
      release.status.conditions = [
        ready(u.fail ? 'False' : 'True', reason, message, now),
        {
          ...ready(u.fail ? 'False' : 'True', reason, message, now),
          type: 'Released',
        },
      ];
      if (!u.fail) {
        release.status.lastAppliedRevision = u.chartVersion;
        this.helmValues.set(this.key(u.cluster, release), u.values);
      }
      this.record(u.cluster, release, {
        revision: u.chartVersion,
        content: u.values,
        startedAt: u.startedAt,
        finishedAt: now,
        failed: u.fail,
        initiatedBy: 'helm-controller',
      });
      this.options.onReconciled?.({
        cluster: u.cluster,
        kind: 'HelmRelease',
        namespace: release.metadata.namespace,
        name: release.metadata.name,
        revision: u.chartVersion,
        failed: u.fail,
        message,
        reason,
      });
      return false;
    });
  }

  /** Objects of one cluster of a kind, optionally in one namespace. */
  list(cluster: string, kind: string, namespace?: string): Obj[] {
    return (this.objects.get(cluster) ?? []).filter(
      o =>
        o.kind === kind && (!namespace || o.metadata.namespace === namespace),
    );
  }

  get(
    cluster: string,
    kind: string,
    namespace: string,
    name: string,
  ): Obj | undefined {
    return this.list(cluster, kind, namespace).find(
      o => o.metadata.name === name,
    );
  }

  /**
   * The `apps/v1` Deployments of a cluster, as the Kustomizations and
   * HelmReleases there applied them (their inventories name them): each runs
   * the image of the revision applied. One rolling out has its new
   * ReplicaSet coming up; the failing one is stuck past its progress deadline.
   */
  deployments(cluster: string, namespace?: string) {
    const now = this.now();
    const out = [];
    for (const o of this.objects.get(cluster) ?? []) {
      if (o.kind !== 'Kustomization' && o.kind !== 'HelmRelease') continue;
      const ref = (o.status.inventory?.entries ?? [])
        .map((e: { id: string }) => e.id.split('_'))
        .find((p: string[]) => p[2] === 'apps' && p[3] === 'Deployment');
      if (!ref || (namespace && ref[0] !== namespace)) continue;
      const [ns, name] = ref;
      const helm = o.kind === 'HelmRelease';
      const image = helm
        ? `${o.spec.values?.image?.repository}:${o.status.history?.[0]?.appVersion}`
        : `ghcr.io/gitops-portal/${name}:${tagOf(
            o.status.lastAttemptedRevision ?? o.status.lastAppliedRevision,
          )}`;
      const rolling = this.rollouts.some(r => r.kustomization === o);
      const stuck = o.metadata.name === FAILING;
      const replicas = 2;
      const updated = rolling || stuck ? 1 : replicas;
      const available = stuck ? 1 : replicas;
      out.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          ...meta(name, ns, { app: name }),
          generation: 3,
        },
        spec: {
          replicas,
          selector: { matchLabels: { app: name } },
          template: {
            metadata: { labels: { app: name } },
            spec: { containers: [{ name, image }] },
          },
        },
        status: {
          observedGeneration: 3,
          replicas,
          updatedReplicas: updated,
          readyReplicas: available,
          availableReplicas: available,
          conditions: [
            {
              type: 'Available',
              status: available === replicas ? 'True' : 'False',
              reason:
                available === replicas
                  ? 'MinimumReplicasAvailable'
                  : 'MinimumReplicasUnavailable',
              message:
                available === replicas
                  ? 'Deployment has minimum availability.'
                  : 'Deployment does not have minimum availability.',
              lastTransitionTime: iso(now - 600_000),
              lastUpdateTime: iso(now - 600_000),
            },
            stuck
              ? {
                  type: 'Progressing',
                  status: 'False',
                  reason: 'ProgressDeadlineExceeded',
                  message: `ReplicaSet "${name}-7d4b9c8f6" has timed out progressing.`,
                  lastTransitionTime: iso(now - 600_000),
                  lastUpdateTime: iso(now - 600_000),
                }
              : {
                  type: 'Progressing',
                  status: 'True',
                  reason: rolling
                    ? 'ReplicaSetUpdated'
                    : 'NewReplicaSetAvailable',
                  message: `ReplicaSet "${name}-7d4b9c8f6" ${
                    rolling ? 'is progressing' : 'has successfully progressed'
                  }.`,
                  lastTransitionTime: iso(now - 600_000),
                  lastUpdateTime: iso(now),
                },
          ],
        },
      });
    }
    return out;
  }

  /** A JSON merge patch (RFC 7386) of metadata.annotations and spec. */
  patch(
    cluster: string,
    kind: string,
    namespace: string,
    name: string,
    body: any,
  ): Obj | undefined {
    const obj = this.get(cluster, kind, namespace, name);
    if (!obj) return undefined;
    if (body?.metadata?.annotations) {
      obj.metadata.annotations = {
        ...obj.metadata.annotations,
        ...body.metadata.annotations,
      };
    }
    if (body?.spec) Object.assign(obj.spec, body.spec);
    obj.metadata.resourceVersion = String(
      Number(obj.metadata.resourceVersion) + 1,
    );
    const requested =
      body?.metadata?.annotations?.['reconcile.fluxcd.io/requestedAt'];
    if (requested) obj.status.lastHandledReconcileAt = requested;
    return obj;
  }

  /** A new commit on a Git source: its Kustomizations roll out. */
  push(options: { cluster?: string; repo?: string } = {}) {
    const now = this.now();
    this.commits += 1;
    const pushed: { cluster: string; name: string; revision: string }[] = [];
    const made = new Map<string, string>();
    for (const [cluster, objs] of this.objects) {
      if (options.cluster && options.cluster !== cluster) continue;
      for (const source of objs.filter(
        o =>
          o.kind === 'GitRepository' &&
          (!options.repo || o.metadata.name === options.repo),
      )) {
        const repo = source.metadata.name;
        // one commit per repository, whichever clusters follow it
        const revision =
          made.get(repo) ??
          (this.options.git?.has(repo)
            ? `main@sha1:${this.options.git.commit(repo)}`
            : this.revision(repo, 10 + this.commits));
        made.set(repo, revision);
        source.status.artifact = {
          ...source.status.artifact,
          revision,
          digest: digest(revision),
          lastUpdateTime: iso(now),
        };
        pushed.push(...this.rollout(cluster, source, revision, now));
      }
    }
    return pushed;
  }

  /** Starts rolling out a new revision of a source to the Kustomizations that use it. */
  private rollout(cluster: string, source: Obj, revision: string, now: number) {
    const pushed: { cluster: string; name: string; revision: string }[] = [];
    for (const k of (this.objects.get(cluster) ?? []).filter(
      o =>
        o.kind === 'Kustomization' &&
        o.spec.sourceRef?.name === source.metadata.name &&
        (o.spec.sourceRef?.namespace ?? o.metadata.namespace) ===
          source.metadata.namespace &&
        !o.spec.suspend,
    )) {
      k.status.conditions = [
        ready('Unknown', 'Progressing', `Reconciliation in progress`, now),
        {
          type: 'Reconciling',
          status: 'True',
          reason: 'Progressing',
          message: `Building manifests for revision ${revision}`,
          lastTransitionTime: iso(now),
          observedGeneration: k.metadata.generation,
        },
      ];
      k.status.lastAttemptedRevision = revision;
      this.rollouts = this.rollouts.filter(r => r.kustomization !== k);
      this.rollouts.push({
        cluster,
        kustomization: k,
        source,
        revision,
        startedAt: now,
      });
      pushed.push({ cluster, name: k.metadata.name, revision });
    }
    return pushed;
  }

  private key(
    cluster: string,
    o: { kind: string; metadata: { namespace?: string; name: string } },
  ) {
    return `${cluster}/${o.kind}/${o.metadata.namespace ?? 'flux-system'}/${
      o.metadata.name
    }`;
  }

  /**
   * Applies the Flux objects of the fleet repository (GitRepository,
   * Kustomization), per cluster, as kustomize-controller applying the fleet
   * would: new ones are created, changed ones updated, and fleet objects no
   * longer in `desired` are pruned. Returns the keys of what changed.
   */
  applyFleet(desired: Map<string, FluxManifest[]>): string[] {
    const now = this.now();
    const changed: string[] = [];
    const wanted = new Set<string>();
    for (const [cluster, manifests] of desired) {
      const objs = this.objects.get(cluster);
      if (!objs) continue;
      // sources first, so that Kustomizations find them
      const ordered = [...manifests].sort(
        (a, b) =>
          Number(a.kind === 'Kustomization') -
          Number(b.kind === 'Kustomization'),
      );
      for (const m of ordered) {
        const namespace = m.metadata.namespace ?? 'flux-system';
        const key = this.key(cluster, m);
        wanted.add(key);
        const existing = objs.find(
          o =>
            o.kind === m.kind &&
            o.metadata.name === m.metadata.name &&
            o.metadata.namespace === namespace,
        );
        if (existing) {
          if (JSON.stringify(existing.spec) === JSON.stringify(m.spec))
            continue;
          existing.spec = structuredClone(m.spec);
          existing.metadata.generation += 1;
          changed.push(key);
          continue;
        }
        const obj: Obj = {
          apiVersion: m.apiVersion,
          kind: m.kind,
          metadata: {
            ...meta(m.metadata.name, namespace, m.metadata.labels),
            uid: sha(key).slice(0, 32),
            creationTimestamp: iso(now),
          },
          spec: structuredClone(m.spec),
          status: { observedGeneration: 1 },
        };
        objs.push(obj);
        this.fleetKeys.add(key);
        changed.push(key);
        if (obj.kind === 'GitRepository') {
          this.followSource(cluster, obj, now);
        } else if (obj.kind === 'Kustomization') {
          obj.status.conditions = [
            ready('Unknown', 'Progressing', 'Reconciliation in progress', now),
          ];
          const source = objs.find(
            o =>
              o.kind === 'GitRepository' &&
              o.metadata.name === obj.spec.sourceRef?.name &&
              o.metadata.namespace ===
                (obj.spec.sourceRef?.namespace ?? namespace),
          );
          const revision = source?.status.artifact?.revision;
          if (source && revision) this.rollout(cluster, source, revision, now);
        }
      }
    }
    for (const [cluster, objs] of this.objects) {
      const kept = objs.filter(o => {
        const key = this.key(cluster, o);
        if (!this.fleetKeys.has(key) || wanted.has(key)) return true;
        this.fleetKeys.delete(key);
        changed.push(key);
        return false;
      });
      this.objects.set(cluster, kept);
    }
    return changed;
  }

  /** A fleet GitRepository takes the newest commit of its branch, and rolls it out. */
  private followSource(cluster: string, source: Obj, now: number) {
    const repo = GitFleet.repoOf(String(source.spec.url ?? ''));
    const branch = String(source.spec.ref?.branch ?? 'main');
    const head = repo ? this.options.git?.head(repo, branch) : undefined;
    if (!head) {
      source.status.conditions = [
        ready(
          'False',
          'GitOperationFailed',
          `failed to checkout and determine revision: unable to clone '${source.spec.url}': reference not found: ${branch}`,
          now,
        ),
      ];
      return;
    }
    const revision = `${branch}@sha1:${head}`;
    if (source.status.artifact?.revision === revision) return;
    source.status = {
      ...source.status,
      artifact: {
        revision,
        digest: digest(revision),
        lastUpdateTime: iso(now),
        path: `gitrepository/${source.metadata.namespace}/${source.metadata.name}/${head}.tar.gz`,
        url: `http://source-controller.flux-system.svc.cluster.local./gitrepository/${source.metadata.namespace}/${source.metadata.name}/latest.tar.gz`,
      },
      conditions: [
        ready(
          'True',
          'Succeeded',
          `stored artifact for revision '${revision}'`,
          now,
        ),
      ],
      observedGeneration: source.metadata.generation,
    };
    this.rollout(cluster, source, revision, now);
  }

  /** Finishes rollouts whose time has come. */
  tick() {
    const now = this.now();
    for (const [cluster, objs] of this.objects) {
      for (const o of objs) {
        if (
          o.kind === 'GitRepository' &&
          this.fleetKeys.has(this.key(cluster, o))
        )
          this.followSource(cluster, o, now);
      }
    }
    const syncMs = (this.options.syncSeconds ?? 6) * 1000;
    this.finishHelmUpgrades(now, syncMs);
    this.rollouts = this.rollouts.filter(r => {
      if (now - r.startedAt < syncMs) return true;
      const k = r.kustomization;
      const failing = k.metadata.name === FAILING;
      const entry = {
        digest: digest(`${k.metadata.name}#${r.revision}`),
        firstReconciled: iso(r.startedAt),
        lastReconciled: iso(now),
        lastReconciledDuration: `${Math.round((now - r.startedAt) / 1000)}s`,
        lastReconciledStatus: failing ? 'failure' : 'success',
        metadata: { revision: r.revision },
        totalReconciliations: 1,
      };
      k.status.history = [entry, ...(k.status.history ?? [])].slice(0, 5);
      this.record(r.cluster, k, {
        revision: r.revision,
        startedAt: r.startedAt,
        finishedAt: now,
        failed: failing,
        initiatedBy: 'kustomize-controller',
      });
      this.options.onReconciled?.({
        cluster: r.cluster,
        kind: 'Kustomization',
        namespace: k.metadata.namespace,
        name: k.metadata.name,
        revision: r.revision,
        failed: failing,
        message: failing
          ? 'health check failed after 5m0s'
          : `Reconciliation finished, applied revision ${r.revision}`,
        reason: failing ? 'HealthCheckFailed' : 'ReconciliationSucceeded',
      });
      if (failing) {
        k.status.conditions = [
          ready(
            'False',
            'HealthCheckFailed',
            `health check failed after 5m0s: timeout waiting for: [Deployment/${k.spec.targetNamespace}/inventory status: 'InProgress']`,
            now,
          ),
        ];
      } else {
        k.status.lastAppliedRevision = r.revision;
        k.status.inventory ??= inventory(
          String(k.spec.targetNamespace ?? k.metadata.namespace),
          String(
            k.metadata.labels?.['backstage.io/kubernetes-id'] ??
              k.metadata.name,
          ),
        );
        k.status.conditions = [
          ready(
            'True',
            'ReconciliationSucceeded',
            `Applied revision: ${r.revision}`,
            now,
          ),
        ];
      }
      return false;
    });
  }
}
