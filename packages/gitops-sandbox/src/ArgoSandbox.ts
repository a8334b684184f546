import {
  matchesLabelSelector,
  parseLabelSelector,
} from '@gitops-portal/plugin-gitops-common';
import { SandboxAppSpec, sha } from './fleet';
import { GitFleet } from './GitFleet';
import { GroundTruthDeployment, groundTruthKind } from './groundTruth';
import type { ArgoSyncedEvent } from './notifier';
import { PREVIEW_SET, previewSetSpec } from './previews';

type Initiator = { username?: string; automated?: boolean };

interface HistoryEntry {
  id: number;
  revision?: string;
  deployedAt: string;
  deployStartedAt: string;
  initiatedBy: Initiator;
  source: {
    repoURL: string;
    path?: string;
    chart?: string;
    targetRevision: string;
  };
}

type Stage = 'idle' | 'outOfSync' | 'syncing';

/** Why the sandbox started a sync. */
type SyncReason = 'new-head' | 'drift' | 'manual';

interface AppState {
  spec: SandboxAppSpec;
  /** When the application was created (metadata.creationTimestamp). */
  createdAt: string;
  history: HistoryEntry[];
  nextId: number;
  head: string;
  stage: Stage;
  stageSince: number;
  operation?: {
    phase: 'Running' | 'Succeeded' | 'Failed';
    message: string;
    startedAt: string;
    finishedAt?: string;
    revision: string;
    initiatedBy: Initiator;
    reason: SyncReason;
    /** The spec's source when the sync started: what it applies and what history records. */
    source: HistoryEntry['source'];
  };
  reconciledAt: string;
  /** Every revision deployed successfully, oldest first (never rotated). */
  deployed: string[];
  /** The next sync fails with this message (set by `failNextSync`). */
  failNext?: string;
  commits: number;
  /** A live resource differs from Git since then (a manual change). */
  driftSince?: number;
  lastDriftAt: number;
  /** When the first canary of the app's Rollout started. */
  canaryStartedAt: number;
  /**
   * The fleet change that pinned this revision was a merged promotion or
   * rollback proposal: the sync that deploys it is one.
   */
  cause?: { kind: 'promotion' | 'rollback'; targetRevision: string };
}

/** The `source` of an application's spec, as its manifests say. */
const sourceOf = (spec: SandboxAppSpec) => ({
  repoURL: spec.repoURL,
  path: spec.path,
  chart: spec.chart,
  targetRevision: spec.targetRevision,
});

/** The commit a dry commit is hydrated to (on the sync branch). */
const hydratedSha = (dry: string) => sha(`hydrated:${dry}`);

const iso = (ms: number) =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The state of a fleet of Argo CD applications that keeps changing: new
 * commits arrive, applications go out of sync, sync, and end healthy or
 * degraded; history is rotated at 10 entries like Argo CD does.
 */
export class ArgoSandbox {
  private readonly apps: AppState[];
  private readonly historyLimit = 10;
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
        this.entry(
          spec,
          i,
          this.revisionOf(spec, i),
          deployedAt,
          i % 3 ? { automated: true } : { username: 'alice' },
        ),
      );
    }
    const deployed: string[] = [];
    for (const h of history) {
      this.record(spec, h, deployed, 'new-head');
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
      history: history.slice(-this.historyLimit),
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

  private revisionOf(spec: SandboxAppSpec, n: number): string {
    if (spec.chart) {
      const [major, minor, patch] = spec.targetRevision
        .replace(/^v/, '')
        .split('.')
        .map(Number);
      return `${
        spec.targetRevision.startsWith('v') ? 'v' : ''
      }${major}.${minor}.${Math.max(0, patch - 5 + n)}`;
    }
    const repo = GitFleet.repoOf(spec.repoURL);
    if (repo && this.options.git?.has(repo))
      return this.options.git.at(repo, n);
    return sha(`${spec.repoURL}#${n}`);
  }

  private entry(
    spec: SandboxAppSpec,
    id: number,
    revision: string,
    deployedAt: number,
    initiatedBy: Initiator,
  ): HistoryEntry {
    return {
      id,
      revision,
      deployedAt: iso(deployedAt),
      deployStartedAt: iso(deployedAt - 15_000),
      initiatedBy,
      source: sourceOf(spec),
    };
  }

  /** What a finished sync was, from why the sandbox started it and what ran before. */
  private record(
    spec: SandboxAppSpec,
    h: HistoryEntry,
    deployed: string[],
    reason: SyncReason,
    cause?: AppState['cause'],
  ) {
    const revision = h.revision ?? '';
    const last = deployed[deployed.length - 1];
    const kind = groundTruthKind({
      applied: revision,
      ran: deployed,
      byPerson: reason === 'manual',
      proposal:
        cause && revision === cause.targetRevision ? cause.kind : undefined,
    });
    const repo = GitFleet.repoOf(spec.repoURL);
    const commitsBrought =
      last && repo && this.options.git?.has(repo)
        ? this.options.git.between(repo, last, revision)
        : undefined;
    this.truth.push({
      instance: spec.instance,
      namespace: spec.namespace,
      name: spec.name,
      revision,
      startedAt: h.deployStartedAt,
      finishedAt: h.deployedAt,
      result: 'Succeeded',
      initiatedBy: h.initiatedBy.username ?? 'automated',
      ...(commitsBrought === undefined ? {} : { commitsBrought }),
      kind,
    });
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
        : this.revisionOf(app.spec, app.commits));
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
    this.startSync(app, { username }, 'manual');
    return true;
  }

  private startSync(app: AppState, initiatedBy: Initiator, reason: SyncReason) {
    app.stage = 'syncing';
    app.stageSince = this.now();
    app.operation = {
      phase: 'Running',
      message: 'waiting for healthy state of apps/Deployment',
      startedAt: iso(this.now()),
      revision: app.head,
      initiatedBy,
      reason,
      source: sourceOf(app.spec),
    };
    // any sync applies Git's state: a manual change is reverted with it
    app.driftSince = undefined;
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
          this.startSync(app, { automated: true }, 'drift');
        }
      }
      if (
        app.stage === 'outOfSync' &&
        app.head &&
        now - app.stageSince >= syncMs / 2
      ) {
        this.startSync(app, { automated: true }, 'new-head');
      } else if (
        app.stage === 'syncing' &&
        now - app.stageSince >= syncMs &&
        app.operation
      ) {
        if (app.failNext) {
          // the sync fails: no history entry (Argo CD keeps failed
          // operations out of it); auto-sync tries again
          const message = app.failNext;
          app.failNext = undefined;
          app.operation = {
            ...app.operation,
            phase: 'Failed',
            message,
            finishedAt: iso(now),
          };
          this.truth.push({
            instance: app.spec.instance,
            namespace: app.spec.namespace,
            name: app.spec.name,
            revision: app.head,
            startedAt: app.operation.startedAt,
            finishedAt: iso(now),
            result: 'Failed',
            initiatedBy: app.operation.initiatedBy.username ?? 'automated',
            kind: 'failed',
          });
          this.options.onSynced?.({
            instance: app.spec.instance,
            name: app.spec.name,
            namespace: app.spec.namespace,
            revision: app.head,
            startedAt: app.operation.startedAt,
            finishedAt: iso(now),
            health: 'Degraded',
            phase: 'Failed',
            message,
            initiatedBy: app.operation.initiatedBy.username,
            automated: app.operation.initiatedBy.automated,
          });
          app.stage = 'outOfSync';
          app.stageSince = now;
          continue;
        }
        app.operation = {
          ...app.operation,
          phase: 'Succeeded',
          message: 'successfully synced (all tasks run)',
          finishedAt: iso(now),
        };
        this.options.onSynced?.({
          instance: app.spec.instance,
          name: app.spec.name,
          namespace: app.spec.namespace,
          revision: app.head,
          startedAt: app.operation.startedAt,
          finishedAt: iso(now),
          health: app.spec.failsWith ? 'Degraded' : 'Healthy',
          initiatedBy: app.operation.initiatedBy.username,
          automated: app.operation.initiatedBy.automated,
        });
        const entry = {
          ...this.entry(
            app.spec,
            app.nextId++,
            app.head,
            now,
            app.operation.initiatedBy,
          ),
          // Argo CD keeps the operation's start as deployStartedAt, and
          // the source the operation applied (the spec may have moved on)
          deployStartedAt: app.operation.startedAt,
          source: app.operation.source,
        };
        this.record(
          app.spec,
          entry,
          app.deployed,
          app.operation.reason,
          app.cause,
        );
        if (app.cause && app.head === app.cause.targetRevision)
          app.cause = undefined;
        app.deployed.push(app.head);
        app.history.push(entry);
        app.history = app.history.slice(-this.historyLimit);
        app.stage = 'idle';
        app.stageSince = now;
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
    const n = parseInt(sha(revision).slice(0, 6), 16);
    return {
      author: [
        'Alice Developer <alice@example.com>',
        'Bob Builder <bob@example.com>',
      ][n % 2],
      date: iso(Date.parse('2026-11-01T00:00:00Z') + (n % 1_000_000) * 1000),
      message: `change ${revision.slice(0, 7)} of ${app.spec.name}`,
    };
  }

  /** `v1alpha1Application` as Argo CD's REST API returns it. */
  /** The spec an application was made from (a copy). */
  spec(instance: string, name: string): SandboxAppSpec | undefined {
    const app = this.find(instance, name);
    return app && { ...app.spec };
  }

  application(instance: string, name: string, namespace?: string) {
    const app = this.find(instance, name, namespace);
    return app && this.render(app);
  }

  /**
   * `v1alpha1ApplicationSetList` of one instance: one set per
   * `applicationSet` its applications name, with a progressive sync
   * (RollingSync) by environment, dev first, and each application's step.
   */
  applicationSets(instance: string, appsetNamespace?: string) {
    const groups = new Map<string, AppState[]>();
    for (const app of this.apps) {
      const { spec } = app;
      if (spec.instance !== instance || !spec.applicationSet) continue;
      if (appsetNamespace && spec.namespace !== appsetNamespace) continue;
      const key = `${spec.namespace}/${spec.applicationSet}`;
      groups.set(key, [...(groups.get(key) ?? []), app]);
    }
    const order = ['dev', 'staging', 'prod'];
    const envOf = (app: AppState) => app.spec.labels.environment ?? 'default';
    const items = [...groups.values()].map(apps => {
      const { namespace, applicationSet: name, project } = apps[0].spec;
      const envs = [...new Set(apps.map(envOf))].sort(
        (a, b) => order.indexOf(a) - order.indexOf(b),
      );
      const statusOf = (app: AppState) => {
        if (app.stage === 'syncing') return 'Progressing';
        if (app.stage === 'outOfSync') return 'Waiting';
        return this.healthOf(app).status === 'Healthy' ? 'Healthy' : 'Pending';
      };
      const progressing = apps.some(a => statusOf(a) !== 'Healthy');
      const since = iso(Math.min(...apps.map(a => a.stageSince)));
      return {
        metadata: {
          name,
          namespace,
          uid: sha(`${instance}/${namespace}/appset/${name}`).slice(0, 32),
          creationTimestamp: '2026-01-01T00:00:00Z',
        },
        spec:
          name === PREVIEW_SET
            ? previewSetSpec(apps[0].spec)
            : {
                // one application per overlay directory of the service's repo
                generators: [
                  {
                    git: {
                      repoURL: apps[0].spec.repoURL,
                      revision: 'HEAD',
                      directories: [{ path: 'deploy/overlays/*' }],
                    },
                  },
                ],
                template: {
                  metadata: {
                    name: `${name}-{{path.basename}}`,
                    labels: { environment: '{{path.basename}}' },
                  },
                  spec: {
                    project,
                    source: sourceOf(apps[0].spec),
                    destination: apps[0].spec.destination,
                  },
                },
                strategy: {
                  type: 'RollingSync',
                  rollingSync: {
                    steps: envs.map(env => ({
                      matchExpressions: [
                        { key: 'environment', operator: 'In', values: [env] },
                      ],
                    })),
                  },
                },
              },
        status: {
          conditions: [
            {
              type: 'ErrorOccurred',
              status: 'False',
              reason: 'ApplicationSetUpToDate',
              message: 'All applications have been generated successfully',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
            {
              type: 'ResourcesUpToDate',
              status: 'True',
              reason: 'ApplicationSetUpToDate',
              message: 'All applications have been generated successfully',
              lastTransitionTime: '2026-01-01T00:00:00Z',
            },
            {
              type: 'RolloutProgressing',
              status: progressing ? 'True' : 'False',
              reason: progressing
                ? 'ApplicationSetModified'
                : 'ApplicationSetRolloutComplete',
              message: progressing
                ? 'ApplicationSet is performing rollout of step'
                : 'ApplicationSet Rollout has completed',
              lastTransitionTime: since,
            },
          ],
          // a progressive sync's steps (the previews' set has none)
          applicationStatus:
            name === PREVIEW_SET
              ? []
              : apps.map(app => ({
                  application: app.spec.name,
                  status: statusOf(app),
                  step: String(envs.indexOf(envOf(app)) + 1),
                  message: `Application resource ${
                    statusOf(app) === 'Healthy'
                      ? 'became Healthy, updating status from Progressing to Healthy'
                      : `is ${statusOf(app)}`
                  }`,
                  lastTransitionTime: iso(app.stageSince),
                  targetrevisions: [app.head].filter(Boolean),
                })),
        },
      };
    });
    return { metadata: {}, items };
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
        .map(a => this.render(a)),
    };
  }

  /** The running or last operation, as `status.operationState`. */
  private operationStateOf(app: AppState) {
    const last = app.history[app.history.length - 1];
    const op =
      app.operation ??
      (last && {
        phase: 'Succeeded',
        message: 'successfully synced (all tasks run)',
        startedAt: last.deployStartedAt,
        finishedAt: last.deployedAt,
        revision: last.revision ?? '',
        initiatedBy: last.initiatedBy,
      });
    if (!op) return {};
    return {
      operationState: {
        phase: op.phase,
        message: op.message,
        startedAt: op.startedAt,
        ...(op.finishedAt ? { finishedAt: op.finishedAt } : {}),
        operation: {
          sync: { revision: op.revision },
          initiatedBy: op.initiatedBy,
        },
        syncResult: { revision: op.revision },
      },
    };
  }

  /** The service an app deploys: its `app.kubernetes.io/name`, else its name. */
  private serviceOf(spec: SandboxAppSpec) {
    return (
      spec.labels['app.kubernetes.io/name'] ??
      spec.name.replace(/-(dev|staging|prod)$/, '')
    );
  }

  /** Images of the running revision. */
  private imagesOf(app: AppState): string[] {
    const { spec } = app;
    if (spec.chart) {
      return [
        `registry.example.com/${spec.chart}/controller:${spec.targetRevision}`,
      ];
    }
    const running = app.history[app.history.length - 1]?.revision ?? app.head;
    if (!running) return [];
    const service = this.serviceOf(spec);
    return [
      `ghcr.io/acme/${service}:${running.slice(0, 7)}`,
      ...(service === 'checkout' ? ['docker.io/library/redis:7.2.5'] : []),
    ];
  }

  /** `status.sourceHydrator`: the dry commit running, and the one being hydrated. */
  private hydratorStatus(app: AppState) {
    const running = app.history[app.history.length - 1]?.revision;
    const hydrator = {
      drySource: {
        repoURL: app.spec.repoURL,
        path: app.spec.path,
        targetRevision: app.spec.targetRevision,
      },
      syncSource: { targetBranch: app.spec.hydrateTo, path: app.spec.path },
    };
    return {
      sourceHydrator: {
        ...(running
          ? {
              lastSuccessfulOperation: {
                drySHA: running,
                hydratedSHA: hydratedSha(running),
                sourceHydrator: hydrator,
              },
            }
          : {}),
        currentOperation: {
          drySHA: app.head,
          hydratedSHA: app.head ? hydratedSha(app.head) : undefined,
          phase: app.stage === 'idle' ? 'Hydrated' : 'Hydrating',
          message: '',
          startedAt: app.operation?.startedAt ?? app.reconciledAt,
          sourceHydrator: hydrator,
        },
      },
    };
  }

  /** Where the app's canary is: the step under way (`steps.length` once done) and the cycle. */
  private canaryOf(app: AppState) {
    const canary = app.spec.canary;
    if (!canary) return undefined;
    const stepMs = canary.stepSeconds * 1000;
    const cycleMs = (canary.steps.length + 2) * stepMs;
    const elapsed = Math.max(0, this.now() - app.canaryStartedAt);
    const cycle = Math.floor(elapsed / cycleMs);
    const index = Math.min(
      canary.steps.length,
      Math.floor((elapsed % cycleMs) / stepMs),
    );
    return {
      steps: canary.steps,
      cycle,
      index,
      stepStartedAt: app.canaryStartedAt + cycle * cycleMs + index * stepMs,
    };
  }

  /**
   * The app's Argo Rollouts `Rollout` as its controller keeps it
   * (`argoproj.io/v1alpha1`), or undefined for an app without one.
   */
  private rolloutOf(app: AppState) {
    const canary = this.canaryOf(app);
    if (!canary) return undefined;
    const service = this.serviceOf(app.spec);
    const namespace = app.spec.destination.namespace;
    const hash = (n: number) => sha(`${app.spec.name}#${n}`).slice(0, 10);
    const done = canary.index >= canary.steps.length;
    const paused = !done && Boolean(canary.steps[canary.index].pause);
    const reached = canary.steps
      .slice(0, canary.index + 1)
      .filter(s => s.setWeight !== undefined);
    const weight = done ? 100 : reached.at(-1)?.setWeight ?? 0;
    let phase = 'Progressing';
    if (done) phase = 'Healthy';
    else if (paused) phase = 'Paused';
    let message: string | undefined = 'more replicas need to be updated';
    if (done) message = undefined;
    else if (paused) message = 'CanaryPauseStep';
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: {
        name: service,
        namespace,
        uid: sha(`${app.spec.name}/rollout`).slice(0, 32),
        generation: 1,
        creationTimestamp: '2026-01-01T00:00:00Z',
      },
      spec: {
        replicas: 5,
        selector: { matchLabels: { app: service } },
        template: {
          metadata: { labels: { app: service } },
          spec: {
            containers: [{ name: service, image: this.imagesOf(app)[0] }],
          },
        },
        strategy: {
          canary: {
            steps: canary.steps.map(s =>
              s.pause
                ? {
                    pause: s.pause.duration
                      ? { duration: `${s.pause.duration}s` }
                      : {},
                  }
                : { setWeight: s.setWeight },
            ),
          },
        },
      },
      status: {
        phase,
        ...(message ? { message } : {}),
        currentStepIndex: canary.index,
        currentPodHash: hash(canary.cycle),
        stableRS: hash(done ? canary.cycle : canary.cycle - 1),
        ...(paused
          ? {
              pauseConditions: [
                {
                  reason: 'CanaryPauseStep',
                  startTime: iso(canary.stepStartedAt),
                },
              ],
              controllerPause: true,
            }
          : {}),
        replicas: 5,
        updatedReplicas: Math.round((5 * weight) / 100),
        readyReplicas: 5,
        availableReplicas: 5,
        observedGeneration: '1',
      },
    };
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
    const rollout = this.rolloutOf(app);
    if (!rollout || rollout.metadata.name !== resource.name) return undefined;
    return { manifest: JSON.stringify(rollout) };
  }

  /** Argo CD 3.x keeps resource health in the tree; the prod instance is 3.x. */
  private healthInTree(app: AppState) {
    return app.spec.instance === 'prod';
  }

  /** The managed resources with their sync and health (`v1alpha1ResourceStatus`). */
  private resourcesOf(
    app: AppState,
    health: { status: string; message?: string },
  ) {
    const { spec } = app;
    const service = this.serviceOf(spec);
    const namespace = spec.destination.namespace;
    const syncing = app.stage !== 'idle';
    const workload = app.spec.canary
      ? { group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout' }
      : { group: 'apps', version: 'v1', kind: 'Deployment' };
    const list: Array<{
      group?: string;
      version: string;
      kind: string;
      namespace: string;
      name: string;
      status: string;
      health?: { status: string; message?: string };
    }> = [
      {
        ...workload,
        namespace,
        name: service,
        status: syncing ? 'OutOfSync' : 'Synced',
        health,
      },
      {
        version: 'v1',
        kind: 'Service',
        namespace,
        name: service,
        status: 'Synced',
        health: { status: 'Healthy' },
      },
      {
        version: 'v1',
        kind: 'ConfigMap',
        namespace,
        name: `${service}-config`,
        status: app.driftSince ? 'OutOfSync' : 'Synced',
      },
    ];
    return this.healthInTree(app)
      ? list.map(({ health: _h, ...r }) => r)
      : list;
  }

  /** `v1alpha1ApplicationTree`: managed resources and their children, with health. */
  tree(instance: string, name: string, namespace?: string) {
    const app = this.find(instance, name, namespace);
    if (!app) return undefined;
    const health = this.healthOf(app);
    const resources = this.resourcesOf(app, health);
    const uid = (s: string) => sha(`${instance}/${name}/${s}`).slice(0, 32);
    const deployment = resources[0];
    const rs = `${deployment.name}-${(app.head || '0000000').slice(0, 7)}`;
    const treeHealth: Record<string, { status: string } | undefined> = {
      [deployment.kind]: health,
      Service: { status: 'Healthy' },
    };
    return {
      nodes: [
        ...resources.map(r => ({
          group: r.group,
          version: r.version,
          kind: r.kind,
          namespace: r.namespace,
          name: r.name,
          uid: uid(`${r.kind}/${r.name}`),
          resourceVersion: '1',
          health: treeHealth[r.kind],
        })),
        {
          group: 'apps',
          version: 'v1',
          kind: 'ReplicaSet',
          namespace: deployment.namespace,
          name: rs,
          uid: uid(rs),
          resourceVersion: '1',
          parentRefs: [
            {
              group: deployment.group,
              kind: deployment.kind,
              namespace: deployment.namespace,
              name: deployment.name,
              uid: uid(`${deployment.kind}/${deployment.name}`),
            },
          ],
          health,
        },
        {
          version: 'v1',
          kind: 'Pod',
          namespace: deployment.namespace,
          name: `${rs}-x7k2p`,
          uid: uid(`${rs}-pod`),
          resourceVersion: '1',
          parentRefs: [
            {
              group: 'apps',
              kind: 'ReplicaSet',
              namespace: deployment.namespace,
              name: rs,
              uid: uid(rs),
            },
          ],
          images: this.imagesOf(app),
          health,
        },
      ].map(n =>
        Object.fromEntries(
          Object.entries(n).filter(([, v]) => v !== undefined),
        ),
      ),
    };
  }

  private healthOf(app: AppState): { status: string; message?: string } {
    if (app.stage === 'syncing')
      return {
        status: 'Progressing',
        message:
          'Waiting for rollout to finish: 1 old replicas are pending termination...',
      };
    if (app.spec.failsWith)
      return { status: 'Degraded', message: app.spec.failsWith };
    // Argo CD's health of a Rollout: paused is Suspended
    const rollout = this.rolloutOf(app);
    if (rollout?.status.phase === 'Paused')
      return { status: 'Suspended', message: 'Rollout is paused' };
    if (rollout?.status.phase === 'Progressing')
      return { status: 'Progressing', message: rollout.status.message };
    return { status: 'Healthy' };
  }

  private render(app: AppState) {
    const { spec } = app;
    const synced = app.stage === 'idle' && !app.driftSince;
    let syncStatus = synced ? 'Synced' : 'OutOfSync';
    if (!app.head) syncStatus = 'Unknown';
    const health = this.healthOf(app);
    return {
      metadata: {
        name: spec.name,
        namespace: spec.namespace,
        labels: spec.labels,
        ...(spec.annotations ? { annotations: spec.annotations } : {}),
        uid: sha(`${spec.instance}/${spec.namespace}/${spec.name}`).slice(
          0,
          32,
        ),
        creationTimestamp: app.createdAt,
        ...(spec.applicationSet
          ? {
              ownerReferences: [
                {
                  apiVersion: 'argoproj.io/v1alpha1',
                  kind: 'ApplicationSet',
                  name: spec.applicationSet,
                  uid: sha(
                    `${spec.instance}/${spec.namespace}/appset/${spec.applicationSet}`,
                  ).slice(0, 32),
                  controller: true,
                  blockOwnerDeletion: true,
                },
              ],
            }
          : {}),
      },
      spec: {
        project: spec.project,
        ...(spec.hydrateTo
          ? {
              sourceHydrator: {
                drySource: {
                  repoURL: spec.repoURL,
                  path: spec.path,
                  targetRevision: spec.targetRevision,
                },
                syncSource: { targetBranch: spec.hydrateTo, path: spec.path },
              },
            }
          : { source: sourceOf(spec) }),
        destination: spec.destination,
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
      status: {
        sync: {
          status: syncStatus,
          ...(app.head
            ? {
                revision: spec.hydrateTo ? hydratedSha(app.head) : app.head,
              }
            : {}),
          comparedTo: {
            source: sourceOf(spec),
            destination: spec.destination,
          },
        },
        health,
        history: spec.hydrateTo
          ? app.history.map(h => ({
              ...h,
              revision: h.revision && hydratedSha(h.revision),
            }))
          : app.history,
        ...this.operationStateOf(app),
        reconciledAt: app.reconciledAt,
        sourceType: spec.chart ? 'Helm' : 'Kustomize',
        summary: { images: this.imagesOf(app) },
        resources: this.resourcesOf(app, health),
        ...(this.healthInTree(app) ? { resourceHealthSource: 'appTree' } : {}),
        ...(spec.hydrateTo ? this.hydratorStatus(app) : {}),
      },
    };
  }
}
