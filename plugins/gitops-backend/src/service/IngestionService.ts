import { LoggerService } from '@backstage/backend-plugin-api';
import { GitopsApplication } from '@gitops-portal/plugin-gitops-common';
import { GitopsStore, NewDeployment } from '../database/GitopsStore';
import { GitopsProvider } from '../providers/types';
import { ControllerStore } from '../database/ControllerStore';
import { ApplicationSetStore } from '../database/ApplicationSetStore';
import { deploymentKey } from './deploymentKey';

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
  async runShard(shard: number, shards: number): Promise<InstanceReport[]> {
    return this.read(
      this.options
        .providers()
        .filter(p => shardOf(p.engine, p.instance, shards) === shard),
    );
  }

  private async read(providers: GitopsProvider[]): Promise<InstanceReport[]> {
    return Promise.all(providers.map(p => this.limited(() => this.ingest(p))));
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
    // events were hints: the controller's own history now replaces them
    await store.pruneEventDeployments(snapshot.applications.map(a => a.id));
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
