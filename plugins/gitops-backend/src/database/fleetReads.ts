import {
  GitopsApplication,
  HealthStatus,
  SyncStatus,
  HEALTH_STATUSES,
  SYNC_STATUSES,
  severityOf,
} from '@gitops-portal/plugin-gitops-common';
import { Knex } from 'knex';
import { whereVisible } from './EntityLinkStore';
import {
  FleetFilter,
  FleetMatrixGroup,
  FleetPosition,
  FleetSelection,
} from './GitopsStore';
import { APPS, APP_COLUMNS, AppRow, rowToApplication } from './rows';

// The fleet page's reads: a page of applications worst first, and the
// matrix of services by environment.

/**
 * The severities an application can have under a fleet filter's health and
 * sync statuses, worst first.
 */
function severitiesOf(filter: FleetFilter): number[] {
  const values = new Set<number>();
  for (const healthStatus of filter.healthStatus?.length
    ? filter.healthStatus
    : HEALTH_STATUSES) {
    for (const syncStatus of filter.syncStatus?.length
      ? filter.syncStatus
      : SYNC_STATUSES) {
      for (const stale of [false, true]) {
        values.add(severityOf({ healthStatus, syncStatus, stale }));
      }
    }
  }
  return [...values].sort((a, b) => b - a);
}

export async function listFleet(
  db: Knex,
  filter: FleetFilter,
): Promise<{
  items: GitopsApplication[];
  totalCount: number;
  last?: FleetPosition;
}> {
  const base = db(APPS).where(q => whereFleet(db, q, filter));
  const [{ count }] = await base.clone().count({ count: '*' });
  // Worst first, then by name: severity descending and name ascending
  // are not one direction of the (severity, name, id) index, so neither
  // database reads a page as one index range (PostgreSQL sorted the whole
  // fleet for the first page, SQLite a whole severity for deep pages).
  // Instead, one range per severity the filter allows, worst first, each
  // in (name, id) order, until the page is full.
  const after = filter.after;
  const rows: Array<AppRow & { severity: number | string; name: string }> = [];
  for (const severity of severitiesOf(filter)) {
    if (after && severity > after.severity) continue;
    const want = filter.limit + 1 - rows.length;
    if (want <= 0) break;
    const page = base.clone().where('severity', severity);
    if (after && severity === after.severity) {
      // keyset: after the previous page's last row
      page.where(q =>
        q
          .where('name', '>', after.name)
          .orWhere(q2 =>
            q2.where('name', after.name).andWhere('id', '>', after.id),
          ),
      );
    }
    rows.push(
      ...(await page
        .select(...APP_COLUMNS, 'severity', 'name')
        .orderBy([
          { column: 'name', order: 'asc' },
          { column: 'id', order: 'asc' },
        ])
        .limit(want)),
    );
  }
  const more = rows.length > filter.limit;
  const shown = rows.slice(0, filter.limit);
  const end = shown[shown.length - 1];
  return {
    items: shown.map(rowToApplication),
    totalCount: Number(count),
    last:
      more && end
        ? { severity: Number(end.severity), name: end.name, id: end.id }
        : undefined,
  };
}

/** The applications a fleet filter selects (the page and the matrix alike). */
function whereFleet(db: Knex, q: Knex.QueryBuilder, filter: FleetSelection) {
  if (filter.syncStatus?.length) q.whereIn('sync_status', filter.syncStatus);
  if (filter.healthStatus?.length)
    q.whereIn('health_status', filter.healthStatus);
  if (filter.environment?.length) q.whereIn('environment', filter.environment);
  if (filter.engine?.length) q.whereIn('engine', filter.engine);
  if (filter.service) q.where('service', filter.service);
  if (filter.ids) q.whereIn('id', filter.ids.length ? filter.ids : ['']);
  if (filter.readable) whereVisible(q, db, filter.readable);
  if (filter.text) {
    const like = `%${filter.text.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`;
    q.where(t =>
      t
        .whereRaw(`LOWER(name) LIKE ? ESCAPE '\\'`, [like])
        .orWhereRaw(`LOWER(namespace) LIKE ? ESCAPE '\\'`, [like])
        .orWhereRaw(`LOWER(instance) LIKE ? ESCAPE '\\'`, [like]),
    );
  }
}

export async function fleetMatrix(
  db: Knex,
  filter: FleetSelection,
): Promise<FleetMatrixGroup[]> {
  const rows: Array<{
    service: string | null;
    environment: string;
    revision: string | null;
    health_status: string;
    sync_status: string;
    count: number | string;
  }> = await db(APPS)
    .where(q => whereFleet(db, q, filter))
    .select(
      'service',
      'environment',
      'revision',
      'health_status',
      'sync_status',
    )
    .count({ count: '*' })
    .groupBy(
      'service',
      'environment',
      'revision',
      'health_status',
      'sync_status',
    );
  return rows.map(r => ({
    service: r.service ?? '',
    environment: r.environment,
    revision: r.revision ?? undefined,
    healthStatus: r.health_status as HealthStatus,
    syncStatus: r.sync_status as SyncStatus,
    count: Number(r.count),
  }));
}
