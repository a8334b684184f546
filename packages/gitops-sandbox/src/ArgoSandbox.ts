import {
  matchesLabelSelector,
  parseLabelSelector,
} from '@gitops-portal/plugin-gitops-common';
import { applicationSetList } from './argocd/applicationSets';
import { renderApplication, treeOf } from './argocd/objects';
import { madeUpCommit, revisionOf, syncTruth } from './argocd/revisions';
import { rolloutOf } from './argocd/rollouts';
import {
  HISTORY_LIMIT,
  finishSync,
  historyEntry,
  startSync,
} from './argocd/sync';
import { AppState, HistoryEntry, iso } from './argocd/state';
import { SandboxAppSpec } from './fleet';
import { GitFleet } from './GitFleet';
import { GroundTruthDeployment } from './groundTruth';
import type { ArgoSyncedEvent } from './notifier';

/**
 * The state of a fleet of Argo CD applications that keeps changing: new
 * commits arrive, applications go out of sync, sync, and end healthy or
 * degraded; history is rotated at 10 entries like Argo CD does.
 */
export class ArgoSandbox {
  private readonly apps: AppState[];
  private readonly truth: GroundTruthDeployment[] = [];

  constructor(
    specs: SandboxAppSpec[],
    private readonly options: {
      now?: () => number;
      syncSeconds?: number;
      /** Real repositories: revisions are their commits, pushes their new commits. */
      git?: GitFleet;
      /** Told about every finished sync, as Argo CD notifications would. */
      onSynced?: (event: ArgoSyncedEvent) => void;
    } = {},
  ) {
    const now = this.now();
    this.apps = specs.map(spec => this.initialState(spec, now));
  }

  private initialState(spec: SandboxAppSpec, now: number): AppState {
    const history: HistoryEntry[] = [];
    for (let i = 1; i <= spec.initialDeployments; i++) {
      const deployedAt = now - (spec.initialDeployments - i + 1) * 3_600_000;
      history.push(
        historyEntry(
          spec,
          i,
          revisionOf(spec, i, this.options.git),
          deployedAt,
          i % 3 ? { automated: true } : { username: 'alice' },
        ),
      );
    }
    const deployed: string[] = [];
    for (const h of history) {
      this.truth.push(
        syncTruth(spec, h, deployed, 'new-head', undefined, this.options.git),
      );
      deployed.push(h.revision ?? '');
    }
    // a new application (nothing deployed yet) waits for its first sync
    const fresh = history.length === 0;
    const head = fresh
      ? this.branchHead(spec) ?? ''
      : history[history.length - 1].revision ?? '';
    return {
      spec,
      // the fleet's first applications are older than their history
      createdAt: fresh ? iso(now) : '2026-01-01T00:00:00Z',
      history: history.slice(-HISTORY_LIMIT),
      nextId: spec.initialDeployments + 1,
      head,
      stage: fresh ? 'outOfSync' : 'idle',
      stageSince: now,
      reconciledAt: iso(now),
      deployed,
      commits: spec.initialDeployments,
      lastDriftAt: now,
      canaryStartedAt: now,
    };
  }

  /** The commit the tracked branch (or pinned commit) of a sandbox Git repository points at. */
  private branchHead(spec: SandboxAppSpec): string | undefined {
    const repo = GitFleet.repoOf(spec.repoURL);
    if (spec.chart || !repo || !this.options.git) return undefined;
    // pinned to a commit (a promoted environment): that commit
    if (/^[0-9a-f]{40}$/.test(spec.targetRevision)) return spec.targetRevision;
    return this.options.git.head(repo, spec.targetRevision);
  }

  /**
   * Creates or updates an application, as applying its manifest would.
   * Returns what changed.
   */
  apply(
    spec: SandboxAppSpec,
    /** The fleet change was a merged promotion or rollback proposal. */
    cause?: 'promotion' | 'rollback',
  ): 'created' | 'updated' | 'unchanged' {
    const existing = this.find(spec.instance, spec.name, spec.namespace);
    if (!existing) {
      this.apps.push(this.initialState(spec, this.now()));
      return 'created';
    }
    if (JSON.stringify(existing.spec) === JSON.stringify(spec))
      return 'unchanged';
    if (existing.spec.targetRevision !== spec.targetRevision)
      existing.cause = cause
        ? { kind: cause, targetRevision: spec.targetRevision }
        : undefined;
    existing.spec = spec;
    return 'updated';
  }

  private now() {
    return this.options.now?.() ?? Date.now();
  }

  /** Every deployment the sandbox performed, in order: the ground truth. */
  groundTruth(): GroundTruthDeployment[] {
    return [...this.truth];
  }

  /** Someone changes a live resource by hand: self-heal reverts it 8 s later. */
  drift(instance: string, name: string): boolean {
    const app = this.find(instance, name);
    if (!app || app.stage !== 'idle') return false;
    app.driftSince = this.now();
    return true;
  }

  /** Makes the next sync of an application fail (a hook that fails, say). */
  failNextSync(instance: string, name: string, message: string): boolean {
    const app = this.find(instance, name);
    if (!app) return false;
    app.failNext = message;
    return true;
  }

  instances(): string[] {
    return [...new Set(this.apps.map(a => a.spec.instance))];
  }

  /** A new commit on the tracked branch of an app (by name, or a random Git app). */
  push(
    options: { instance?: string; name?: string; revision?: string } = {},
  ): { instance: string; name: string; revision: string } | undefined {
    const candidates = this.apps.filter(
      a =>
        !a.spec.chart &&
        a.stage === 'idle' &&
        (!options.name || a.spec.name === options.name) &&
        (!options.instance || a.spec.instance === options.instance),
    );
    const app = candidates[Math.floor(Math.random() * candidates.length)];
    if (!app) return undefined;
    app.commits += 1;
    const repo = GitFleet.repoOf(app.spec.repoURL);
    app.head =
      options.revision ??
      (repo && this.options.git?.has(repo)
        ? this.options.git.commit(repo)
        : revisionOf(app.spec, app.commits, this.options.git));
    app.stage = 'outOfSync';
    app.stageSince = this.now();
    return {
      instance: app.spec.instance,
      name: app.spec.name,
      revision: app.head,
    };
  }

  /**
   * Promotes an environment: `<service>-staging` takes what `<service>-dev`
   * runs, `<service>-prod` what staging runs.
   */
  promote(name: string): { name: string; revision: string } | undefined {
    const previous = name.endsWith('-prod')
      ? name.replace(/-prod$/, '-staging')
      : name.replace(/-staging$/, '-dev');
    const from = this.apps.find(a => a.spec.name === previous);
    const to = this.apps.find(a => a.spec.name === name);
    const revision = from?.history[from.history.length - 1]?.revision;
    if (!to || !revision || to.stage !== 'idle' || to.head === revision)
      return undefined;
    to.head = revision;
    to.stage = 'outOfSync';
    to.stageSince = this.now();
    return { name, revision };
  }

  /** Deletes an application, as `argocd app delete` would. */
  remove(instance: string, name: string): boolean {
    const index = this.apps.findIndex(
      a => a.spec.instance === instance && a.spec.name === name,
    );
    if (index === -1) return false;
    this.apps.splice(index, 1);
    return true;
  }

  /** Sets the health an application reports from now on (for tests and demos). */
  breakApp(instance: string, name: string, message: string): boolean {
    const app = this.find(instance, name);
    if (!app) return false;
    app.spec = { ...app.spec, failsWith: message };
    return true;
  }

  /** Names of the applications, for the demo's commit loop. */
  names(): string[] {
    return this.apps.map(a => a.spec.name);
  }

  /** Starts a sync now (the API's sync call). */
  sync(
    instance: string,
    name: string,
    namespace?: string,
    username = 'admin',
  ): boolean {
    const app = this.find(instance, name, namespace);
    if (!app) return false;
    startSync(app, { username }, 'manual', this.now());
    return true;
  }

  /** Advances every application: out-of-sync apps start syncing, syncing ones finish. */
  tick() {
    const now = this.now();
    const syncMs = (this.options.syncSeconds ?? 6) * 1000;
    const heads = new Map<string, string | undefined>();
    for (const app of this.apps) {
      // Argo CD compares each app with Git every 3 minutes
      // (timeout.reconciliation), and says so in status.reconciledAt
      if (now - Date.parse(app.reconciledAt) >= 180_000)
        app.reconciledAt = iso(now);
      if (app.spec.followBranch && app.stage !== 'syncing') {
        // auto-sync: a new commit on the tracked branch is rolled out
        const key = `${app.spec.repoURL}@${app.spec.targetRevision}`;
        if (!heads.has(key)) heads.set(key, this.branchHead(app.spec));
        const head = heads.get(key);
        if (head && head !== app.head) {
          app.head = head;
          app.commits += 1;
          app.stage = 'outOfSync';
          app.stageSince = now;
        }
      }
      // after the comparison with Git: a spec or branch that moved is
      // synced to its new revision, never the old one applied again
      const every = app.spec.driftEverySeconds;
      if (app.stage === 'idle' && app.head) {
        if (every && !app.driftSince && now - app.lastDriftAt >= every * 1000) {
          app.driftSince = now; // someone edits the ConfigMap by hand
        } else if (app.driftSince && now - app.driftSince >= 8000) {
          // self-heal: the same revision applied again
          app.lastDriftAt = now;
          startSync(app, { automated: true }, 'drift', now);
        }
      }
      if (
        app.stage === 'outOfSync' &&
        app.head &&
        now - app.stageSince >= syncMs / 2
      ) {
        startSync(app, { automated: true }, 'new-head', now);
      } else if (app.stage === 'syncing' && now - app.stageSince >= syncMs) {
        finishSync(app, now, {
          succeeded: (entry, reason) =>
            this.truth.push(
              syncTruth(
                app.spec,
                entry,
                app.deployed,
                reason,
                app.cause,
                this.options.git,
              ),
            ),
          failed: operation =>
            this.truth.push({
              instance: app.spec.instance,
              namespace: app.spec.namespace,
              name: app.spec.name,
              revision: app.head,
              startedAt: operation.startedAt,
              finishedAt: iso(now),
              result: 'Failed',
              initiatedBy: operation.initiatedBy.username ?? 'automated',
              kind: 'failed',
            }),
          onSynced: this.options.onSynced,
        });
      }
    }
  }

  private find(instance: string, name: string, namespace?: string) {
    return this.apps.find(
      a =>
        a.spec.instance === instance &&
        a.spec.name === name &&
        (!namespace || a.spec.namespace === namespace),
    );
  }

  /**
   * `v1alpha1RevisionMetadata` of a revision of an application's repository:
   * the real commit for sandbox Git repositories, a stable made-up one
   * otherwise. Undefined when the application does not exist.
   */
  revisionMetadata(
    instance: string,
    name: string,
    revision: string,
    namespace?: string,
  ) {
    const app = this.find(instance, name, namespace);
    if (!app) return undefined;
    const repo = GitFleet.repoOf(app.spec.repoURL);
    const real = repo && this.options.git?.commitInfo(repo, revision);
    if (real) return real;
    return madeUpCommit(app.spec.name, revision);
  }

  /** The spec an application was made from (a copy). */
  spec(instance: string, name: string): SandboxAppSpec | undefined {
    const app = this.find(instance, name);
    return app && { ...app.spec };
  }

  application(instance: string, name: string, namespace?: string) {
    const app = this.find(instance, name, namespace);
    return app && renderApplication(app, this.now());
  }

  /** `v1alpha1ApplicationList` of one instance. */
  list(
    instance: string,
    appNamespace?: string,
    filter: { selector?: string; names?: string[] } = {},
  ) {
    // label selector, as `?selector=`, in the Kubernetes grammar
    const wanted = filter.selector ? parseLabelSelector(filter.selector) : [];
    return {
      metadata: { resourceVersion: String(Math.floor(this.now() / 1000)) },
      items: this.apps
        .filter(
          a =>
            a.spec.instance === instance &&
            (!appNamespace || a.spec.namespace === appNamespace) &&
            (!filter.names?.length || filter.names.includes(a.spec.name)) &&
            matchesLabelSelector(wanted, a.spec.labels),
        )
        .map(a => renderApplication(a, this.now())),
    };
  }

  /**
   * `v1alpha1ApplicationSetList` of one instance: one set per
   * `applicationSet` its applications name, with a progressive sync
   * (RollingSync) by environment, dev first, and each application's step.
   */
  applicationSets(instance: string, appsetNamespace?: string) {
    return applicationSetList(this.apps, instance, appsetNamespace, this.now());
  }

  /** `v1alpha1ApplicationTree`: managed resources and their children, with health. */
  tree(instance: string, name: string, namespace?: string) {
    const app = this.find(instance, name, namespace);
    return app && treeOf(app, this.now());
  }

  /**
   * The live object of a resource of an application (Argo CD's
   * `GET /api/v1/applications/{name}/resource`): the sandbox knows the
   * Rollouts it runs.
   */
  liveResource(
    instance: string,
    name: string,
    namespace: string | undefined,
    resource: { group?: string; kind?: string; name?: string },
  ): { manifest: string } | undefined {
    const app = this.find(instance, name, namespace);
    if (!app || resource.kind !== 'Rollout' || resource.group !== 'argoproj.io')
      return undefined;
    const rollout = rolloutOf(app, this.now());
    if (!rollout || rollout.metadata.name !== resource.name) return undefined;
    return { manifest: JSON.stringify(rollout) };
  }
}
