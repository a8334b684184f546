import {
  GitopsApplication,
  GitopsDeployment,
} from '@gitops-portal/plugin-gitops-common';
import { Knex } from 'knex';
import { writeDeployments } from './deploymentWrites';
import { NewDeployment, StoredEvent } from './GitopsStore';
import {
  APPS,
  APP_COLUMNS,
  AppRow,
  CHUNK,
  DEPLOYMENTS,
  DeploymentRow,
  applicationRow,
  chunks,
  rowToApplication,
  rowToDeployment,
} from './rows';

// Writes that events start: a pushed controller event applied to the
// stored state, and the claim of a deployment to tell its owners about.

/**
 * Applies pushed events to the applications they name, in one transaction:
 * each event's new state (unless older than the stored one) and the
 * deployment it reports. Answers which events named a known application,
 * and the applications written.
 */
export async function applyEventsIn(
  tx: Knex.Transaction,
  events: StoredEvent[],
): Promise<{ known: boolean[]; touched: string[] }> {
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
}

/**
 * Claims the failed (or Degraded) deployments since `since` that no replica
 * told owners about yet: each is claimed by one replica only.
 */
export async function claimDeploymentsToNotify(
  db: Knex,
  options: {
    since: string;
    limit?: number;
  },
): Promise<GitopsDeployment[]> {
  const latest = db(DEPLOYMENTS)
    .select('application_id')
    .max({ last: 'finished_at' })
    .where('finished_at', '>=', options.since)
    .groupBy('application_id')
    .as('l');
  const rows: DeploymentRow[] = await db(`${DEPLOYMENTS} as d`)
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
        .select(db.raw('1'))
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
    const won = await db(DEPLOYMENTS)
      .where({ id: row.id })
      .whereNull('notified_at')
      .update({ notified_at: now });
    if (won) claimed.push(rowToDeployment(row));
  }
  return claimed;
}
