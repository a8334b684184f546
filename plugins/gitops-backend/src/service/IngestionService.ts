import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { GitopsApplication } from '@gitops-portal/plugin-gitops-common';
import { GitopsStore, NewDeployment } from '../database/GitopsStore';
import { GitopsProvider } from '../model/provider';
import { ControllerStore } from '../database/ControllerStore';
import { ApplicationSetStore } from '../database/ApplicationSetStore';
import { deploymentKey } from '../model/deploymentKey';

/** Outcome of reading one instance. */
export interface InstanceReport {
  engine: string;
  instance: string;
  ok: boolean;
  applications: number;
  written: number;
  removed: number;
  deploymentsAdded: number;
  error?: string;
  durationMs: number;
}

/**
 * Reads every provider, each isolated from the others, and writes what
 * changed. A provider that fails or times out has its applications marked
 * stale; nothing of it is deleted.
 */
export class IngestionService {
  constructor(
    private readonly options: {
      store: GitopsStore;
      providers: () => GitopsProvider[];
      logger: LoggerService;
      /** Time allowed for reading one instance. */
      instanceTimeoutMs: number;
      /** Instances read at the same time (default 3): bounds memory. */
      concurrency?: number;
      /** Where each controller's last read, last error and since when are kept. */
      controllers?: ControllerStore;
      /** Where Argo CD ApplicationSets read with the applications are kept. */
      applicationSets?: ApplicationSetStore;
    },
  ) {}

  /**
   * Schedules the reading of the controllers: split into shards (a stable
   * hash of engine and name), a global task each, so every replica runs
   * the shards it claims and one replica reads a shard at a time. Each run
   * reads, then follows the watches until the next run is due.
   */
  async schedule(
    scheduler: SchedulerService,
    settings: {
      pollIntervalSeconds: number;
      instanceTimeoutSeconds: number;
      instanceConcurrency: number;
      watch: boolean;
      /** How many shards; at most 16 (one per controller below that) if not set. */
      shards?: number;
    },
  ): Promise<void> {
    const providers = this.options.providers();
    const shards = settings.shards ?? Math.min(providers.length, 16);
    for (let shard = 0; shard < shards; shard++) {
      const size = providers.filter(
        p => shardOf(p.engine, p.instance, shards) === shard,
      ).length;
      await scheduler.scheduleTask({
        id: `gitops-ingestion-${shard + 1}-of-${shards}`,
        scope: 'global',
        frequency: { seconds: settings.pollIntervalSeconds },
        // instances are read a few at a time, each within its timeout
        timeout: {
          seconds:
            settings.instanceTimeoutSeconds *
              Math.max(1, Math.ceil(size / settings.instanceConcurrency)) +
            (settings.watch ? settings.pollIntervalSeconds : 0) +
            30,
        },
        initialDelay: { seconds: 1 },
        fn: async signal => {
          // read, then follow the watches until the next run is due (or
          // the scheduler stops the task)
          await this.runShard(shard, shards, {
            watchUntil: settings.watch
              ? Date.now() + settings.pollIntervalSeconds * 1000 - 500
              : undefined,
            signal,
          });
        },
      });
    }
  }

  /** Reads in flight in this process, across shards; and those waiting. */
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  /** Reads every provider. */
  async runOnce(): Promise<InstanceReport[]> {
    return this.read(this.options.providers());
  }

  /**
   * Reads the providers of one shard of `shards`: a provider's shard is a
   * stable hash of its engine and name, so each replica that runs a shard's
   * scheduled task reads the same controllers.
   */
  async runShard(
    shard: number,
    shards: number,
    options: { watchUntil?: number; signal?: AbortSignal } = {},
  ): Promise<InstanceReport[]> {
    return this.read(
      this.options
        .providers()
        .filter(p => shardOf(p.engine, p.instance, shards) === shard),
      options.watchUntil,
      options.signal,
    );
  }

  /**
   * Reads each provider, a few at a time; then, until `watchUntil` (epoch
   * ms), follows the changes of those that can watch and were read. The
   * next run reads them all again: that full read is the safety net for
   * events a watch missed or a watch that stalled.
   */
  private async read(
    providers: GitopsProvider[],
    watchUntil?: number,
    signal?: AbortSignal,
  ): Promise<InstanceReport[]> {
    return Promise.all(
      providers.map(async p => {
        const report = await this.limited(() => this.ingest(p));
        if (report.ok && p.watch && watchUntil)
          await this.follow(p, watchUntil, signal);
        return report;
      }),
    );
  }

  /**
   * Follows one provider's watch until `until`. A watch that fails or ends
   * early (a dropped stream, a controller going away) is followed by a full
   * read at once — which reconciles what the watch missed, or records the
   * controller as unreachable — and, if that read succeeds, by a new watch.
   * Never outlasts `until` by more than a few seconds, whatever the
   * provider does.
   */
  private async follow(
    provider: GitopsProvider,
    until: number,
    stop?: AbortSignal,
  ): Promise<void> {
    const logger = this.options.logger.child({
      engine: provider.engine,
      instance: provider.instance,
    });
    const name = `${provider.engine} instance '${provider.instance}'`;
    for (let attempt = 0; ; attempt++) {
      const ms = until - Date.now();
      if (ms <= 1000 || stop?.aborted) return;
      const signal = stop
        ? AbortSignal.any([AbortSignal.timeout(ms), stop])
        : AbortSignal.timeout(ms);
      let timer: NodeJS.Timeout | undefined;
      const watchedFrom = Date.now();
      const outcome = await Promise.race([
        provider.watch!({
          signal,
          onChange: changed => this.applyChanges(changed),
        }).then(
          () => ({ error: undefined as unknown }),
          error => ({ error }),
        ),
        new Promise<'hung'>(resolve => {
          timer = setTimeout(() => resolve('hung'), ms + 5000);
        }),
      ]);
      clearTimeout(timer);
      if (outcome === 'hung') {
        logger.warn(`Watch of ${name} did not stop when asked; left behind`);
        return;
      }
      if (signal.aborted) return;
      if (outcome.error && Date.now() - watchedFrom < 1000) {
        // refused at once (no stream served here, no permission): polling
        // goes on, and the next run tries again
        logger.warn(
          `Watch of ${name} failed: ${
            (outcome.error as Error).message
          }; polling goes on`,
        );
        return;
      }
      logger.warn(
        `Watch of ${name} ${
          outcome.error
            ? `failed: ${(outcome.error as Error).message}`
            : 'ended early'
        }; reading it again`,
      );
      // a moment first, more after each failure, so a flapping stream is
      // not re-read in a loop
      // (never negative: the run may already be past its end)
      const pause = Math.min(500 * 2 ** attempt, 10_000, until - Date.now());
      await new Promise(r => setTimeout(r, Math.max(pause, 0)));
      if (Date.now() >= until - 1000 || stop?.aborted) return;
      const report = await this.limited(() => this.ingest(provider));
      if (!report.ok) return; // recorded as unreachable; the next run tries again
    }
  }

  /**
   * Writes applications a watch reported changed, with the deployments
   * they show. What only a full read tells (resource trees, Rollouts) is
   * kept from the stored application.
   */
  async applyChanges(changed: {
    applications: GitopsApplication[];
    deployments: NewDeployment[];
  }): Promise<void> {
    const { store } = this.options;
    if (changed.applications.length === 0) return;
    const previous = await store.getApplications(
      changed.applications.map(a => a.id),
    );
    const before = new Map(previous.map(a => [a.id, a]));
    const merged = changed.applications.map(app => {
      const old = before.get(app.id);
      if (!old) return app;
      return {
        ...app,
        resources: app.resources ?? old.resources,
        resourceCount: app.resourceCount ?? old.resourceCount,
        rollouts: app.rollouts ?? old.rollouts,
      };
    });
    await store.upsertApplications(merged);
    await store.addDeployments([
      ...changed.deployments,
      ...observedDeployments(previous, merged),
    ]);
  }

  /** At most `concurrency` reads at once in this process, whichever shard asks. */
  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= (this.options.concurrency ?? 3)) {
      await new Promise<void>(resolve => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  async ingest(provider: GitopsProvider): Promise<InstanceReport> {
    const { store } = this.options;
    const logger = this.options.logger.child({
      engine: provider.engine,
      instance: provider.instance,
    });
    const started = Date.now();
    const base = {
      engine: provider.engine,
      instance: provider.instance,
    };
    let snapshot;
    try {
      snapshot = await provider.read({
        signal: AbortSignal.timeout(this.options.instanceTimeoutMs),
      });
    } catch (error) {
      const message =
        (error as Error).name === 'TimeoutError'
          ? `timed out after ${this.options.instanceTimeoutMs} ms`
          : (error as Error).message;
      const marked = await store.markInstanceStale(base);
      await this.options.controllers?.recordRead({
        ...base,
        at: new Date(started).toISOString(),
        ok: false,
        error: message,
      });
      logger.warn(
        `Could not read ${provider.engine} instance '${provider.instance}': ${message}; ${marked} applications marked stale`,
      );
      return {
        ...base,
        ok: false,
        applications: 0,
        written: 0,
        removed: 0,
        deploymentsAdded: 0,
        error: message,
        durationMs: Date.now() - started,
      };
    }

    const previous = await store.getApplications(
      snapshot.applications.map(a => a.id),
    );
    const observed = observedDeployments(previous, snapshot.applications);
    const { written, removed } = await store.syncInstance({
      ...base,
      applications: snapshot.applications,
    });
    const deploymentsAdded = await store.addDeployments([
      ...snapshot.deployments,
      ...observed,
    ]);
    if (snapshot.applicationSets) {
      await this.options.applicationSets?.replaceInstance(
        provider.instance,
        snapshot.applicationSets,
      );
    }
    // what every application of this controller was read at, in one row
    await this.options.controllers?.recordRead({
      ...base,
      at: snapshot.applications[0]?.lastReadAt ?? new Date().toISOString(),
      ok: true,
      applications: snapshot.applications.length,
    });
    const report = {
      ...base,
      ok: true,
      applications: snapshot.applications.length,
      written,
      removed,
      deploymentsAdded,
      durationMs: Date.now() - started,
    };
    logger.debug(
      `Read ${report.applications} applications: ${written} written, ${removed} removed, ${deploymentsAdded} new deployments`,
    );
    return report;
  }
}

/**
 * The shard of a controller among `shards`: FNV-1a of `engine:instance`,
 * stable across processes and releases.
 */
export function shardOf(
  engine: string,
  instance: string,
  shards: number,
): number {
  let hash = 0x811c9dc5;
  for (const ch of `${engine}:${instance}`) {
    hash ^= ch.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/**
 * Deployments the backend saw happen between two reads: the deployed
 * revision changed. Keyed like controller history, so the same deployment
 * reported by both is stored once.
 */
export function observedDeployments(
  previous: GitopsApplication[],
  current: GitopsApplication[],
): NewDeployment[] {
  const before = new Map(previous.map(a => [a.id, a]));
  const result: NewDeployment[] = [];
  for (const app of current) {
    const old = before.get(app.id);
    if (!old || !app.lastSyncedAt || app.revisions.length === 0) continue;
    if (old.revisions.join(',') === app.revisions.join(',')) continue;
    result.push({
      applicationId: app.id,
      dedupeKey: deploymentKey(app.id, app.lastSyncedAt, app.revisions),
      environment: app.environment,
      revisions: app.revisions,
      finishedAt: app.lastSyncedAt,
      result: 'Succeeded',
      origin: 'observed',
    });
  }
  return result;
}
