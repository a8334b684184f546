import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import {
  GitopsApplication,
  GitopsDeployment,
  GitopsEngine,
  HealthStatus,
  LabelRequirement,
  SyncStatus,
  applicationService,
  severityOf,
  SERVICE_LABEL,
} from '@gitops-portal/plugin-gitops-common';
import { createHash } from 'node:crypto';
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

const migrationsDir = resolvePackagePath(
  '@gitops-portal/plugin-gitops-backend',
  'migrations',
);

import { whereVisible } from './EntityLinkStore';
import { classifyDeployments, writeDeployments } from './deploymentWrites';

import {
  APPS,
  APP_COLUMNS,
  AppRow,
  CHUNK,
  DEPLOYMENTS,
  DeploymentRow,
  LABELS,
  chunks,
  rowToApplication,
  rowToDeployment,
} from './rows';
import { fleetMatrix, listFleet } from './fleetReads';
import {
  getDeployment,
  listDeployments,
  listDeploymentFacts,
} from './deploymentReads';

const HEAD_COLUMNS = [
  'id',
  'engine',
  'instance',
  'namespace',
  'name',
  'environment',
  'revision',
  'sync_status',
  'health_status',
  'severity',
  'application_set',
];

type HeadRow = {
  id: string;
  engine: GitopsEngine;
  instance: string;
  namespace: string;
  name: string;
  environment: string;
  revision: string | null;
  sync_status: SyncStatus;
  health_status: HealthStatus;
  severity: number | string;
  application_set: string | null;
};

/** Holds `HEAD_COLUMNS` by id (migration 20261123090000). */
const HEADS_INDEX = 'gitops_applications_heads_idx';
/** Holds `HEAD_COLUMNS` by service (migration 20261123100000). */
const SERVICE_HEADS_INDEX = 'gitops_applications_service_heads_idx';

/**
 * The services a label selector requires (`app.kubernetes.io/name in
 * (...)`): an application with that label has it as its service.
 */
function serviceValues(labels: LabelRequirement[]): string[] | undefined {
  const required = labels.find(
    r => r.key === SERVICE_LABEL && r.operator === 'In',
  );
  if (!required) return undefined;
  // an empty label is no service (the name is used instead)
  if (required.values.some(v => !v || v.length > 255)) return undefined;
  return required.values;
}

/** Fingerprint of the state that matters, ignoring read times. */
function applicationRow(app: GitopsApplication, now: string) {
  return {
    id: app.id,
    engine: app.engine,
    instance: app.instance,
    namespace: app.namespace,
    name: app.name,
    kind: app.kind,
    project: app.project ?? null,
    environment: app.environment,
    sync_status: app.syncStatus,
    health_status: app.healthStatus,
    severity: severityOf(app),
    data: JSON.stringify(app),
    fingerprint: fingerprintOf(app),
    stale: app.stale,
    last_read_at: app.lastReadAt,
    out_of_sync_since: app.outOfSyncSince ?? null,
    service: applicationService(app).slice(0, 255),
    revision: app.revisions[0]?.slice(0, 255) ?? null,
    application_set: app.applicationSet?.slice(0, 255) ?? null,
    updated_at: now,
  };
}

function fingerprintOf(app: GitopsApplication): string {
  const {
    lastReadAt: _lastReadAt,
    stale: _stale,
    outOfSyncSince: _since,
    ...state
  } = app;
  return createHash('sha256').update(JSON.stringify(state)).digest('hex');
}

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

  async claimDeploymentsToNotify(options: {
    since: string;
    limit?: number;
  }): Promise<GitopsDeployment[]> {
    const latest = this.db(DEPLOYMENTS)
      .select('application_id')
      .max({ last: 'finished_at' })
      .where('finished_at', '>=', options.since)
      .groupBy('application_id')
      .as('l');
    const rows: DeploymentRow[] = await this.db(`${DEPLOYMENTS} as d`)
      .select('d.*')
      .leftJoin(`${APPS} as a`, 'a.id', 'd.application_id')
      .leftJoin(latest, join =>
        join
          .on('l.application_id', '=', 'd.application_id')
          .andOn('l.last', '=', 'd.finished_at'),
      )
      .whereNull('d.notified_at')
      .where('d.finished_at', '>=', options.since)
      // only what has owners to tell: an application no entity claims yet
      // (the claims are read in the background) is told once one does
      .whereExists(q =>
        q
          .select(this.db.raw('1'))
          .from('gitops_entity_links as e')
          .whereRaw('?? = ??', ['e.application_id', 'd.application_id']),
      )
      .where(q =>
        q
          .where('d.result', 'Failed')
          .orWhere(w =>
            w
              .where('d.result', 'Succeeded')
              .where('a.health_status', 'Degraded')
              .whereNotNull('l.last'),
          ),
      )
      .orderBy('d.finished_at')
      .limit(options.limit ?? 100);
    const claimed: GitopsDeployment[] = [];
    const now = new Date().toISOString();
    for (const row of rows) {
      // one replica claims each: the one whose update finds it unclaimed
      const won = await this.db(DEPLOYMENTS)
        .where({ id: row.id })
        .whereNull('notified_at')
        .update({ notified_at: now });
      if (won) claimed.push(rowToDeployment(row));
    }
    return claimed;
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
    const { known, touched } = await this.db.transaction(async tx => {
      const current = new Map<string, GitopsApplication>();
      for (const ids of chunks(
        [...new Set(events.map(e => e.applicationId))],
        500,
      )) {
        const rows: AppRow[] = await tx(APPS)
          .select(APP_COLUMNS)
          .whereIn('id', ids);
        for (const row of rows) current.set(row.id, rowToApplication(row));
      }
      const changed = new Map<string, GitopsApplication>();
      const deployments: NewDeployment[] = [];
      const found = events.map(event => {
        const app = current.get(event.applicationId);
        if (!app) return false;
        const applied = event.apply(app);
        if (!applied) return true; // known, nothing to change
        const { deployment } = applied;
        if (deployment) deployments.push(deployment);
        // older than what is stored: the state stays
        if (!applied.application) return true;
        // in sync again: no longer out of sync since
        const application =
          applied.application.syncStatus === 'OutOfSync'
            ? applied.application
            : { ...applied.application, outOfSyncSince: undefined };
        current.set(app.id, application);
        changed.set(app.id, application);
        return true;
      });
      const now = new Date().toISOString();
      for (const batch of chunks([...changed.values()])) {
        // rows known to exist: the merge only updates their state
        await tx(APPS)
          .insert(batch.map(app => applicationRow(app, now)))
          .onConflict('id')
          .merge([
            'sync_status',
            'health_status',
            'severity',
            'data',
            'fingerprint',
            'stale',
            'out_of_sync_since',
            'updated_at',
          ]);
      }
      const written = await writeDeployments(tx, deployments, CHUNK);
      return {
        known: found,
        touched: [...new Set([...changed.keys(), ...written.applicationIds])],
      };
    });
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
    const rows = await this.matching<AppRow>(queries, APP_COLUMNS);
    return rows.map(rowToApplication);
  }

  async findApplicationHeads(
    queries: ApplicationQuery[],
  ): Promise<ApplicationHead[]> {
    const rows = await this.matching<HeadRow>(queries, HEAD_COLUMNS);
    return rows.map(r => ({
      id: r.id,
      engine: r.engine,
      instance: r.instance,
      namespace: r.namespace,
      name: r.name,
      environment: r.environment,
      revision: r.revision ?? undefined,
      syncStatus: r.sync_status,
      healthStatus: r.health_status,
      severity: Number(r.severity),
      applicationSet: r.application_set ?? undefined,
    }));
  }

  /** The rows any of the queries match, once each, by id. */
  private async matching<R extends { id: string }>(
    queries: ApplicationQuery[],
    columns: string[],
  ): Promise<R[]> {
    if (queries.length === 0) return [];
    // a query whose required labels cannot all hold matches nothing
    const active = queries.flatMap(q => {
      const ids = this.idsWithLabels(q.labels ?? []);
      return ids === null ? [] : [{ q, ids }];
    });
    if (active.length === 0) return [];
    // one indexed read per query, merged here: OR-ed together, SQLite
    // (without statistics) scans every application instead (500 ms for the
    // ten services of a team at 20k applications)
    const byId = new Map<string, R>();
    for (const { q, ids } of active) {
      const heads = columns === HEAD_COLUMNS;
      // a selector on the service label: the service's range of the index
      // that holds the heads by service (an edge service's 1,000
      // applications, one per cluster, are contiguous there: PostgreSQL
      // 5.0 -> 1.3 ms, the labels joined by hash from their index)
      const services = heads ? serviceValues(q.labels ?? []) : undefined;
      let from: string | Knex.Raw = APPS;
      // SQLite, without statistics, would take the primary key's index and
      // read each row instead of the index that holds the heads
      if (heads && this.sqlite && services) {
        from = this.db.raw('?? INDEXED BY ??', [APPS, SERVICE_HEADS_INDEX]);
      } else if (heads && this.sqlite && ids) {
        from = this.db.raw('?? INDEXED BY ??', [APPS, HEADS_INDEX]);
      }
      const rows: R[] = await this.db
        .from(from)
        .select(columns)
        .where(inner => {
          if (services) inner.whereIn('service', services);
          // with ids from the label index (a subquery on its (key, value)
          // index), the primary key finds the rows: the other columns as
          // expressions keep SQLite (no statistics) from scanning the
          // engine index instead (61 ms -> 2 ms, 20k apps). PostgreSQL has
          // statistics, and an expression would hide the column from them.
          // One statement: ids listed as 1,000 bound values cost more than
          // the read.
          const eq = (column: string, value: string) =>
            ids && this.sqlite
              ? inner.whereRaw(`${column} || '' = ?`, [value])
              : inner.where(column, value);
          if (ids) inner.whereIn('id', ids);
          if (q.engine) eq('engine', q.engine);
          if (q.kind) eq('kind', q.kind);
          if (q.names) inner.whereIn('name', q.names);
          if (q.instance) eq('instance', q.instance);
          if (q.namespace) eq('namespace', q.namespace);
          if (q.project) eq('project', q.project);
          // NotIn and DoesNotExist: none of these labels (absent matches)
          for (const r of q.labels ?? []) {
            if (r.operator === 'NotIn' || r.operator === 'DoesNotExist') {
              inner.whereNotIn(
                'id',
                this.db(LABELS)
                  .select('application_id')
                  .where(l => {
                    l.where('key', r.key);
                    if (r.operator === 'NotIn') l.whereIn('value', r.values);
                  }),
              );
            }
          }
        });
      for (const row of rows) byId.set(row.id, row);
    }
    return [...byId.values()].sort((a, b) =>
      a.id < b.id ? -1 : Number(a.id > b.id),
    );
  }

  /**
   * A subquery of the ids of applications meeting every In and Exists
   * requirement, on the (key, value) index; undefined when there are none
   * of those, null when they cannot all hold.
   */
  private idsWithLabels(
    requirements: LabelRequirement[],
  ): Knex.QueryBuilder | undefined | null {
    // one entry per key: an application has one value per key, so the
    // requirements on a key intersect (Exists alone keeps every value)
    const byKey = new Map<string, string[] | undefined>();
    for (const r of requirements) {
      if (r.operator !== 'In' && r.operator !== 'Exists') continue;
      const values = r.operator === 'In' ? r.values : undefined;
      if (!byKey.has(r.key)) {
        byKey.set(r.key, values);
      } else {
        const prior = byKey.get(r.key);
        byKey.set(
          r.key,
          prior && values
            ? prior.filter(v => values.includes(v))
            : prior ?? values,
        );
      }
    }
    if (byKey.size === 0) return undefined;
    if ([...byKey.values()].some(v => v && v.length === 0)) return null;
    const ids = this.db(LABELS)
      .select('application_id')
      .where(q => {
        for (const [key, values] of byKey) {
          q.orWhere(t => {
            t.where('key', key);
            if (values) t.whereIn('value', values);
          });
        }
      });
    // one label per key and application: with one key, no grouping
    return byKey.size === 1
      ? ids
      : ids.groupBy('application_id').havingRaw('COUNT(*) = ?', [byKey.size]);
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

  async getMetricsSnapshot(
    key: MetricsSnapshotKey,
  ): Promise<{ data: string; computedAt: string } | undefined> {
    const row = await this.db('gitops_metrics_snapshots')
      .where({
        scope: key.scope,
        environment: key.environment,
        window_days: key.windowDays,
      })
      .first();
    return row ? { data: row.data, computedAt: row.computed_at } : undefined;
  }

  async putMetricsSnapshot(
    key: MetricsSnapshotKey,
    data: string,
    computedAt: string,
  ): Promise<void> {
    await this.db('gitops_metrics_snapshots')
      .insert({
        scope: key.scope,
        environment: key.environment,
        window_days: key.windowDays,
        data,
        computed_at: computedAt,
      })
      .onConflict(['scope', 'environment', 'window_days'])
      .merge(['data', 'computed_at']);
  }
}
