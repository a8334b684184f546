import { SandboxAppSpec, sha } from '../fleet';

/** The state the sandbox's Argo CD keeps per application. */
export type Initiator = { username?: string; automated?: boolean };

export interface HistoryEntry {
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

export type Stage = 'idle' | 'outOfSync' | 'syncing';

/** Why the sandbox started a sync. */
export type SyncReason = 'new-head' | 'drift' | 'manual';

export interface AppState {
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
export const sourceOf = (spec: SandboxAppSpec) => ({
  repoURL: spec.repoURL,
  path: spec.path,
  chart: spec.chart,
  targetRevision: spec.targetRevision,
});

/** The commit a dry commit is hydrated to (on the sync branch). */
export const hydratedSha = (dry: string) => sha(`hydrated:${dry}`);

export const iso = (ms: number) =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The service an app deploys: its `app.kubernetes.io/name`, else its name. */
export function serviceOf(spec: SandboxAppSpec) {
  return (
    spec.labels['app.kubernetes.io/name'] ??
    spec.name.replace(/-(dev|staging|prod)$/, '')
  );
}

/** Images of the running revision. */
export function imagesOf(app: AppState): string[] {
  const { spec } = app;
  if (spec.chart) {
    return [
      `registry.example.com/${spec.chart}/controller:${spec.targetRevision}`,
    ];
  }
  const running = app.history[app.history.length - 1]?.revision ?? app.head;
  if (!running) return [];
  const service = serviceOf(spec);
  return [
    `ghcr.io/acme/${service}:${running.slice(0, 7)}`,
    ...(service === 'checkout' ? ['docker.io/library/redis:7.2.5'] : []),
  ];
}
