import { HealthStatus, SyncStatus } from './types';

const HEALTH_SEVERITY: Record<HealthStatus, number> = {
  Degraded: 5,
  Missing: 4,
  Unknown: 3,
  Progressing: 2,
  Suspended: 1,
  Healthy: 0,
};

const SYNC_SEVERITY: Record<SyncStatus, number> = {
  OutOfSync: 2,
  Unknown: 1,
  Synced: 0,
};

/**
 * The worst health of several applications; `Unknown` for none.
 *
 * @public
 */
export function rollUpHealth(statuses: HealthStatus[]): HealthStatus {
  if (statuses.length === 0) return 'Unknown';
  return statuses.reduce((worst, s) =>
    HEALTH_SEVERITY[s] > HEALTH_SEVERITY[worst] ? s : worst,
  );
}

/**
 * The worst sync status of several applications; `Unknown` for none.
 *
 * @public
 */
export function rollUpSync(statuses: SyncStatus[]): SyncStatus {
  if (statuses.length === 0) return 'Unknown';
  return statuses.reduce((worst, s) =>
    SYNC_SEVERITY[s] > SYNC_SEVERITY[worst] ? s : worst,
  );
}

/**
 * A number that sorts failing applications first: higher is worse.
 *
 * @public
 */
export function severityOf(app: {
  syncStatus: SyncStatus;
  healthStatus: HealthStatus;
  stale?: boolean;
}): number {
  return (
    HEALTH_SEVERITY[app.healthStatus] * 10 +
    SYNC_SEVERITY[app.syncStatus] * 2 +
    (app.stale ? 1 : 0)
  );
}

/** @public */
export const SYNC_STATUSES: SyncStatus[] = ['Synced', 'OutOfSync', 'Unknown'];

/** @public */
export const HEALTH_STATUSES: HealthStatus[] = [
  'Healthy',
  'Progressing',
  'Degraded',
  'Suspended',
  'Missing',
  'Unknown',
];

/**
 * Normalises a status string from a controller to the shared model.
 *
 * @public
 */
export function toHealthStatus(value: string | undefined): HealthStatus {
  return HEALTH_STATUSES.find(s => s === value) ?? 'Unknown';
}

/**
 * Normalises a sync status string from a controller to the shared model.
 *
 * @public
 */
export function toSyncStatus(value: string | undefined): SyncStatus {
  return SYNC_STATUSES.find(s => s === value) ?? 'Unknown';
}
