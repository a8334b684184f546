import { SandboxAppSpec } from '../fleet';
import type { ArgoSyncedEvent } from '../notifier';
import {
  AppState,
  HistoryEntry,
  Initiator,
  SyncReason,
  iso,
  sourceOf,
} from './state';

/** Argo CD keeps the last 10 history entries of an application. */
export const HISTORY_LIMIT = 10;

/** A history entry of a sync that finished at `deployedAt`. */
export function historyEntry(
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

/** Starts a sync of what the application's spec says now. */
export function startSync(
  app: AppState,
  initiatedBy: Initiator,
  reason: SyncReason,
  now: number,
) {
  app.stage = 'syncing';
  app.stageSince = now;
  app.operation = {
    phase: 'Running',
    message: 'waiting for healthy state of apps/Deployment',
    startedAt: iso(now),
    revision: app.head,
    initiatedBy,
    reason,
    source: sourceOf(app.spec),
  };
  // any sync applies Git's state: a manual change is reverted with it
  app.driftSince = undefined;
}

/** What finishing a sync tells the rest of the sandbox. */
export interface SyncOutcomes {
  /** A sync succeeded with this new history entry. */
  succeeded(entry: HistoryEntry, reason: SyncReason): void;
  /** A sync failed (no history entry, as Argo CD keeps them out of it). */
  failed(operation: NonNullable<AppState['operation']>): void;
  /** Told about every finished sync, as Argo CD notifications would. */
  onSynced?: (event: ArgoSyncedEvent) => void;
}

/** Finishes the running sync of an application, successfully or as told by `failNext`. */
export function finishSync(app: AppState, now: number, tell: SyncOutcomes) {
  if (!app.operation) return;
  const failure = app.failNext;
  app.failNext = undefined;
  app.operation = {
    ...app.operation,
    phase: failure ? 'Failed' : 'Succeeded',
    message: failure ?? 'successfully synced (all tasks run)',
    finishedAt: iso(now),
  };
  const { operation } = app;
  let health = app.spec.failsWith ? 'Degraded' : 'Healthy';
  if (failure) health = 'Degraded';
  tell.onSynced?.({
    instance: app.spec.instance,
    name: app.spec.name,
    namespace: app.spec.namespace,
    revision: app.head,
    startedAt: operation.startedAt,
    finishedAt: iso(now),
    health,
    ...(failure ? { phase: 'Failed' as const, message: failure } : {}),
    initiatedBy: operation.initiatedBy.username,
    automated: operation.initiatedBy.automated,
  });
  if (failure) {
    // auto-sync tries again
    tell.failed(operation);
    app.stage = 'outOfSync';
    app.stageSince = now;
    return;
  }
  const entry = {
    ...historyEntry(
      app.spec,
      app.nextId++,
      app.head,
      now,
      operation.initiatedBy,
    ),
    // Argo CD keeps the operation's start as deployStartedAt, and the
    // source the operation applied (the spec may have moved on)
    deployStartedAt: operation.startedAt,
    source: operation.source,
  };
  tell.succeeded(entry, operation.reason);
  if (app.cause && app.head === app.cause.targetRevision) app.cause = undefined;
  app.deployed.push(app.head);
  app.history.push(entry);
  app.history = app.history.slice(-HISTORY_LIMIT);
  app.stage = 'idle';
  app.stageSince = now;
}
