import {
  HealthStatus,
  SyncStatus,
  rollUpHealth,
  rollUpSync,
} from '@gitops-portal/plugin-gitops-common';

/** Applications that share a revision and a status, and how many. */
export interface StatusCount {
  revision?: string;
  healthStatus: HealthStatus;
  syncStatus: SyncStatus;
  count: number;
}

/** The most common revisions listed. */
const REVISIONS = 5;

/**
 * Counts over many applications (a fleet matrix cell, an environment of an
 * edge service): the revisions they run, most common first, and how many are
 * degraded, progressing and out of sync.
 */
export function countApplications(groups: StatusCount[]) {
  const byRevision = new Map<string, number>();
  const sum = (ok: (g: StatusCount) => boolean) =>
    groups.filter(ok).reduce((n, g) => n + g.count, 0);
  for (const g of groups) {
    if (g.revision) {
      byRevision.set(g.revision, (byRevision.get(g.revision) ?? 0) + g.count);
    }
  }
  return {
    total: sum(() => true),
    revisions: [...byRevision]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, REVISIONS)
      .map(([revision, count]) => ({ revision, count })),
    degraded: sum(
      g => g.healthStatus === 'Degraded' || g.healthStatus === 'Missing',
    ),
    progressing: sum(g => g.healthStatus === 'Progressing'),
    outOfSync: sum(g => g.syncStatus === 'OutOfSync'),
    health: rollUpHealth(groups.map(g => g.healthStatus)),
    sync: rollUpSync(groups.map(g => g.syncStatus)),
  };
}
