import {
  HealthStatus,
  SyncStatus,
  rollUpHealth,
  rollUpSync,
} from '@gitops-portal/plugin-gitops-common';

/** Applications that share a revision and a status, and how many (default 1). */
export interface StatusCount {
  revision?: string;
  healthStatus: HealthStatus;
  syncStatus: SyncStatus;
  count?: number;
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
  let total = 0;
  let degraded = 0;
  let progressing = 0;
  let outOfSync = 0;
  for (const g of groups) {
    const n = g.count ?? 1;
    total += n;
    if (g.healthStatus === 'Degraded' || g.healthStatus === 'Missing')
      degraded += n;
    if (g.healthStatus === 'Progressing') progressing += n;
    if (g.syncStatus === 'OutOfSync') outOfSync += n;
    if (g.revision) {
      byRevision.set(g.revision, (byRevision.get(g.revision) ?? 0) + n);
    }
  }
  return {
    total,
    revisions: [...byRevision]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, REVISIONS)
      .map(([revision, count]) => ({ revision, count })),
    degraded,
    progressing,
    outOfSync,
    health: rollUpHealth(groups.map(g => g.healthStatus)),
    sync: rollUpSync(groups.map(g => g.syncStatus)),
  };
}
