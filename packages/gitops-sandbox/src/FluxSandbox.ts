import { sha } from './fleet';
import { GitFleet } from './GitFleet';
import type { FluxReconciledEvent } from './notifier';
import { GroundTruthDeployment, groundTruthKind } from './groundTruth';
import {
  HelmUpgrade,
  HelmUpgradeRequest,
  finishHelmUpgrade,
  startHelmUpgrade,
} from './flux/helm';
import {
  FluxManifest,
  Obj,
  ReconcileRun,
  digest,
  fetchedSource,
  finishReconcile,
  iso,
  startReconcile,
} from './flux/objects';
import { createdFrom, mergePatch } from './flux/apply';
import { initialObjects } from './flux/initialObjects';
import { deploymentOf } from './flux/workloads';

export type { FluxManifest } from './flux/objects';
export type { HelmUpgradeRequest } from './flux/helm';

/**
 * Flux objects of two clusters (`flux-dev`, `flux-prod`) as the Kubernetes API
 * serves them: GitRepositories, Kustomizations, a HelmRepository and a
 * HelmRelease with history, one failing and one suspended Kustomization.
 */
export class FluxSandbox {
  private readonly objects: Map<string, Obj[]>;
  private rollouts: ReconcileRun[] = [];
  /** Objects created from the fleet repository (cluster/kind/namespace/name). */
  private readonly fleetKeys = new Set<string>();
  private commits = 0;
  private helmUpgrades: HelmUpgrade[] = [];
  private readonly truth: GroundTruthDeployment[] = [];
  /** Per application, what ran successfully, oldest first (revision#content; podinfo's releases from before the sandbox started seeded). */
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
    this.objects = initialObjects(
      this.now(),
      (repo, n) => this.revision(repo, n),
      this.options.extraClusters,
    );
    const [podinfo] = this.list('flux-prod', 'HelmRelease');
    const podinfoKey = this.key('flux-prod', podinfo);
    this.deployed.set(podinfoKey, ['6.5.4#1', '6.6.0#2', '6.6.1#3']);
    this.helmValues.set(podinfoKey, '3');
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
   * Starts a Helm upgrade of a HelmRelease (see `startHelmUpgrade`).
   * Answers undefined for an unknown release or one mid-upgrade.
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
    const upgrade = startHelmUpgrade(
      cluster,
      release,
      request,
      this.helmValues.get(this.key(cluster, release)),
      this.now(),
    );
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
      const event = finishHelmUpgrade(u, now);
      if (!u.fail)
        this.helmValues.set(this.key(u.cluster, u.release), u.values);
      this.record(u.cluster, u.release, {
        revision: u.chartVersion,
        content: u.values,
        startedAt: u.startedAt,
        finishedAt: now,
        failed: u.fail,
        initiatedBy: 'helm-controller',
      });
      this.options.onReconciled?.(event);
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
   * HelmReleases there applied them (see `deploymentOf`).
   */
  deployments(cluster: string, namespace?: string) {
    const now = this.now();
    return (this.objects.get(cluster) ?? []).flatMap(o => {
      const rolling = this.rollouts.some(r => r.kustomization === o);
      return deploymentOf(o, now, rolling, namespace) ?? [];
    });
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
    return obj && mergePatch(obj, body);
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
      startReconcile(k, revision, now);
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
        const obj = createdFrom(m, key, now);
        objs.push(obj);
        this.fleetKeys.add(key);
        changed.push(key);
        if (obj.kind === 'GitRepository') {
          this.followSource(cluster, obj, now);
        } else if (obj.kind === 'Kustomization') {
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
    const revision = head && `${branch}@sha1:${head}`;
    if (revision && source.status.artifact?.revision === revision) return;
    source.status = fetchedSource(source, branch, head, now);
    if (revision) this.rollout(cluster, source, revision, now);
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
      const outcome = finishReconcile(k, r.revision, r.startedAt, now);
      this.record(r.cluster, k, {
        revision: r.revision,
        startedAt: r.startedAt,
        finishedAt: now,
        failed: outcome.failed,
        initiatedBy: 'kustomize-controller',
      });
      this.options.onReconciled?.({
        cluster: r.cluster,
        kind: 'Kustomization',
        namespace: k.metadata.namespace,
        name: k.metadata.name,
        revision: r.revision,
        ...outcome,
      });
      return false;
    });
  }
}
