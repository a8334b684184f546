import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  GitopsApplication,
  GitopsDeployment,
  GitopsEngine,
  severityOf,
} from '@gitops-portal/plugin-gitops-common';
import { Knex } from 'knex';
import {
  ApplicationHead,
  ApplicationQuery,
  FleetFilter,
  FleetSelection,
  GitopsStore,
  DeploymentFactsFilter,
  HistoryFilter,
  MetricsSnapshotKey,
  InstanceSyncResult,
  NewDeployment,
  StoredEvent,
} from './GitopsStore';

import { whereVisible } from './EntityLinkStore';
import { classifyDeployments, writeDeployments } from './deploymentWrites';
import {
  APPS,
  APP_COLUMNS,
  AppRow,
  CHUNK,
  DEPLOYMENTS,
  LABELS,
  chunks,
  rowToApplication,
  applicationRow,
  fingerprintOf,
} from './rows';
import { fleetMatrix, listFleet } from './fleetReads';
import { getMetricsSnapshot, putMetricsSnapshot } from './metricsSnapshots';
import { applyEventsIn, claimDeploymentsToNotify } from './eventWrites';
import { findApplicationHeads, matchingRows } from './applicationQueries';
import {
  getDeployment,
  listDeployments,
  listDeploymentFacts,
} from './deploymentReads';

const migrationsDir = resolvePackagePath(
  '@gitops-portal/plugin-gitops-backend',
  'migrations',
);

/**
 * Knex implementation of {@link GitopsStore}; runs on SQLite and PostgreSQL.
 */
export class DatabaseGitopsStore implements GitopsStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
    /**
     * Told, after each write commits, which applications it changed (their
     * state, or their history): what live pages and owners hear about.
     */
    onWrite?: (applicationIds: string[]) => void;
  }): Promise<DatabaseGitopsStore> {
    const client = await options.database.getClient();
    const migrate =
      !options.database.migrations?.skip && !options.skipMigrations;
    if (migrate) await client.migrate.latest({ directory: migrationsDir });
    const store = new DatabaseGitopsStore(client, options.onWrite);
    if (migrate) await store.classifyUnclassified();
    if (store.sqlite) {
      // a file database: writers no longer wait on each other's fsync
      // (in-memory databases keep their own journal mode)
      await client.raw('PRAGMA journal_mode = WAL');
      await client.raw('PRAGMA synchronous = NORMAL');
    }
    return store;
  }

  private readonly sqlite: boolean;

  constructor(
    private readonly db: Knex,
    private readonly onWrite: (applicationIds: string[]) => void = () => {},
  ) {
    this.sqlite = /sqlite/.test(String(db.client.config.client));
  }

  async syncInstance(options: {
    engine: GitopsEngine;
    instance: string;
    applications: GitopsApplication[];
  }): Promise<InstanceSyncResult> {
    const { engine, instance, applications } = options;
    const written = await this.upsertApplications(applications);
    const keep = new Set(applications.map(a => a.id));
    const existing: { id: string }[] = await this.db(APPS)
      .select('id')
      .where({ engine, instance });
    const gone = existing.map(r => r.id).filter(id => !keep.has(id));
    for (const ids of chunks(gone)) {
      await this.db(LABELS).whereIn('application_id', ids).delete();
      await this.db(APPS).whereIn('id', ids).delete();
    }
    if (gone.length) this.onWrite(gone);
    return { written, removed: gone.length };
  }

  async upsertApplications(applications: GitopsApplication[]): Promise<number> {
    let written = 0;
    for (const batch of chunks(applications)) {
      const existing: Array<
        Pick<AppRow, 'id' | 'fingerprint' | 'stale'> & {
          sync_status: string | null;
          out_of_sync_since: string | null;
        }
      > = await this.db(APPS)
        .select(
          'id',
          'fingerprint',
          'stale',
          'sync_status',
          'out_of_sync_since',
        )
        .whereIn(
          'id',
          batch.map(a => a.id),
        );
      const known = new Map(existing.map(r => [r.id, r]));
      const changed = batch
        .map(app => ({ app, fingerprint: fingerprintOf(app) }))
        .filter(({ app, fingerprint }) => {
          const row = known.get(app.id);
          return (
            !row ||
            row.fingerprint !== fingerprint ||
            Boolean(row.stale) !== app.stale
          );
        });
      if (changed.length === 0) continue;
      const now = new Date().toISOString();
      // how long it has been out of sync: kept while it stays so
      for (const c of changed) {
        const row = known.get(c.app.id);
        let since: string | undefined;
        if (c.app.syncStatus === 'OutOfSync') {
          since =
            (row?.sync_status === 'OutOfSync' && row.out_of_sync_since) ||
            c.app.outOfSyncSince ||
            c.app.lastReadAt ||
            now;
        }
        c.app = { ...c.app, outOfSyncSince: since };
      }
      await this.db.transaction(async tx => {
        await tx(APPS)
          .insert(changed.map(({ app }) => applicationRow(app, now)))
          .onConflict('id')
          .merge();
        const ids = changed.map(c => c.app.id);
        await tx(LABELS).whereIn('application_id', ids).delete();
        const labels = changed.flatMap(({ app }) =>
          Object.entries(app.labels).map(([key, value]) => ({
            application_id: app.id,
            key,
            value,
          })),
        );
        for (const labelBatch of chunks(labels, 300)) {
          await tx(LABELS).insert(labelBatch);
        }
      });
      written += changed.length;
      this.onWrite(changed.map(c => c.app.id));
    }
    return written;
  }

  async markInstanceStale(options: {
    engine: GitopsEngine;
    instance: string;
  }): Promise<number> {
    const rows: AppRow[] = await this.db(APPS)
      .select(APP_COLUMNS)
      .where({ engine: options.engine, instance: options.instance })
      .andWhere('stale', false);
    for (const batch of chunks(rows)) {
      await this.db.transaction(async tx => {
        for (const row of batch) {
          const app = { ...rowToApplication(row), stale: true };
          await tx(APPS)
            .where({ id: row.id })
            .update({
              stale: true,
              severity: severityOf(app),
              updated_at: new Date().toISOString(),
            });
        }
      });
    }
    if (rows.length) this.onWrite(rows.map(r => r.id));
    return rows.length;
  }

  async addDeployments(deployments: NewDeployment[]): Promise<number> {
    // in a transaction: its writers' locks last until it ends
    const { added, applicationIds } = await this.db.transaction(tx =>
      writeDeployments(tx, deployments, CHUNK),
    );
    if (applicationIds.length) this.onWrite(applicationIds);
    return added;
  }

  async classifyApplications(applicationIds: string[]): Promise<void> {
    await classifyDeployments(
      this.db,
      new Map(applicationIds.map(id => [id, ''])),
      CHUNK,
    );
    if (applicationIds.length) this.onWrite(applicationIds);
  }

  claimDeploymentsToNotify(options: {
    since: string;
    limit?: number;
  }): Promise<GitopsDeployment[]> {
    return claimDeploymentsToNotify(this.db, options);
  }

  /**
   * Classifies what was stored before deployments had kinds (a database
   * migrated from an earlier release), from each application's earliest
   * unclassified deployment.
   */
  async classifyUnclassified(): Promise<number> {
    const rows: Array<{ application_id: string; since: string }> =
      await this.db(DEPLOYMENTS)
        .select('application_id')
        .min({ since: 'finished_at' })
        .whereNull('kind')
        .whereIn('result', ['Succeeded', 'Failed'])
        .groupBy('application_id');
    await classifyDeployments(
      this.db,
      new Map(rows.map(r => [r.application_id, r.since])),
      CHUNK,
    );
    return rows.length;
  }

  async applyEvents(events: StoredEvent[]): Promise<boolean[]> {
    if (events.length === 0) return [];
    const { known, touched } = await this.db.transaction(tx =>
      applyEventsIn(tx, events),
    );
    if (touched.length) this.onWrite(touched);
    return known;
  }

  async getApplication(id: string): Promise<GitopsApplication | undefined> {
    const row: AppRow | undefined = await this.db(APPS)
      .select(APP_COLUMNS)
      .where({ id })
      .first();
    return row ? rowToApplication(row) : undefined;
  }

  async listAllApplications(): Promise<GitopsApplication[]> {
    const rows: AppRow[] = await this.db(APPS)
      .select(APP_COLUMNS)
      .orderBy('id');
    return rows.map(rowToApplication);
  }

  async getApplications(ids: string[]): Promise<GitopsApplication[]> {
    const result: GitopsApplication[] = [];
    for (const batch of chunks(ids, 500)) {
      const rows: AppRow[] = await this.db(APPS)
        .select(APP_COLUMNS)
        .whereIn('id', batch);
      result.push(...rows.map(rowToApplication));
    }
    return result;
  }

  async findApplications(
    queries: ApplicationQuery[],
  ): Promise<GitopsApplication[]> {
    const rows = await matchingRows<AppRow>(
      this.db,
      queries,
      APP_COLUMNS,
      this.sqlite,
    );
    return rows.map(rowToApplication);
  }

  findApplicationHeads(
    queries: ApplicationQuery[],
  ): Promise<ApplicationHead[]> {
    return findApplicationHeads(this.db, queries, this.sqlite);
  }

  listFleet(filter: FleetFilter) {
    return listFleet(this.db, filter);
  }

  fleetMatrix(filter: FleetSelection) {
    return fleetMatrix(this.db, filter);
  }

  getDeployment(id: string) {
    return getDeployment(this.db, id);
  }

  listDeployments(filter: HistoryFilter) {
    return listDeployments(this.db, filter);
  }

  listDeploymentFacts(filter: DeploymentFactsFilter) {
    return listDeploymentFacts(this.db, filter);
  }

  async listUnsettledApplications(): Promise<GitopsApplication[]> {
    const rows: AppRow[] = await this.db(APPS)
      .select(APP_COLUMNS)
      .where('health_status', 'Degraded')
      .orWhere('sync_status', 'OutOfSync');
    return rows.map(rowToApplication);
  }

  async listDegradedApplicationIds(
    ids?: string[],
    readable?: string[],
  ): Promise<string[]> {
    const read = (batch?: string[]) =>
      this.db(APPS)
        .where('health_status', 'Degraded')
        .modify(q => {
          if (batch) q.whereIn('id', batch);
          if (readable) whereVisible(q, this.db, readable);
        })
        .pluck('id');
    if (!ids) return read();
    const result: string[] = [];
    for (const batch of chunks(ids, 500)) result.push(...(await read(batch)));
    return result;
  }

  async listApplicationSetMembers(filter: { readable?: string[] }) {
    const rows: Array<{
      instance: string;
      namespace: string;
      application_set: string;
      name: string;
    }> = await this.db(APPS)
      .select('instance', 'namespace', 'application_set', 'name')
      .whereNotNull('application_set')
      .modify(q => {
        if (filter.readable) whereVisible(q, this.db, filter.readable);
      });
    return rows.map(r => ({
      instance: r.instance,
      namespace: r.namespace,
      applicationSet: r.application_set,
      name: r.name,
    }));
  }

  getMetricsSnapshot(key: MetricsSnapshotKey) {
    return getMetricsSnapshot(this.db, key);
  }

  putMetricsSnapshot(key: MetricsSnapshotKey, data: string, at: string) {
    return putMetricsSnapshot(this.db, key, data, at);
  }
}
