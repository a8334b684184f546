import {
  GitopsEngine,
  HealthStatus,
  LabelRequirement,
  SERVICE_LABEL,
  SyncStatus,
} from '@gitops-portal/plugin-gitops-common';
import { Knex } from 'knex';
import { ApplicationHead, ApplicationQuery } from './GitopsStore';
import { APPS, LABELS } from './rows';

// Finding applications by what entities' annotations select: names,
// instance, namespace, project, kind and label selectors, each query one
// indexed read.

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

/** The heads (what lists and counts need) of the applications the queries match. */
export async function findApplicationHeads(
  db: Knex,
  queries: ApplicationQuery[],
  sqlite: boolean,
): Promise<ApplicationHead[]> {
  const rows = await matchingRows<HeadRow>(db, queries, HEAD_COLUMNS, sqlite);
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
export async function matchingRows<R extends { id: string }>(
  db: Knex,
  queries: ApplicationQuery[],
  columns: string[],
  sqlite: boolean,
): Promise<R[]> {
  if (queries.length === 0) return [];
  // a query whose required labels cannot all hold matches nothing
  const active = queries.flatMap(q => {
    const ids = idsWithLabels(db, q.labels ?? []);
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
    if (heads && sqlite && services) {
      from = db.raw('?? INDEXED BY ??', [APPS, SERVICE_HEADS_INDEX]);
    } else if (heads && sqlite && ids) {
      from = db.raw('?? INDEXED BY ??', [APPS, HEADS_INDEX]);
    }
    const rows: R[] = await db
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
          ids && sqlite
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
              db(LABELS)
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
function idsWithLabels(
  db: Knex,
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
  const ids = db(LABELS)
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
