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

  async runOnce(): Promise<InstanceReport[]> {
    const providers = this.options.providers();
    const results: InstanceReport[] = new Array(providers.length);
    let next = 0;
    const worker = async () => {
      while (next < providers.length) {
        const index = next++;
        results[index] = await this.ingest(providers[index]);
      }
    };
    await Promise.all(
      Array.from(
        { length: Math.min(providers.length, this.options.concurrency ?? 3) },
        worker,
      ),
    );
    return results;
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
