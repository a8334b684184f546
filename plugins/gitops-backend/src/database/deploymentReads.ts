import {
  DeploymentFact,
  DeploymentKind,
  GitopsDeployment,
} from '@gitops-portal/plugin-gitops-common';
import { Knex } from 'knex';
import { whereVisible } from './EntityLinkStore';
import { DeploymentFactsFilter, HistoryFilter } from './GitopsStore';
import { DEPLOYMENTS, DeploymentRow, chunks, rowToDeployment } from './rows';

// The history's reads: one deployment, a page of an application's
// history, and the facts the delivery metrics count.

export async function getDeployment(
  db: Knex,
  id: string,
): Promise<GitopsDeployment | undefined> {
  if (!/^\d{1,18}$/.test(id)) return undefined;
  const row: DeploymentRow | undefined = await db<DeploymentRow>(DEPLOYMENTS)
    .where('id', Number(id))
    .first();
  return row ? rowToDeployment(row) : undefined;
}

export async function listDeployments(
  db: Knex,
  filter: HistoryFilter,
): Promise<GitopsDeployment[]> {
  if (filter.applicationIds.length === 0) return [];
  const query = db<DeploymentRow>(DEPLOYMENTS)
    .whereIn('application_id', filter.applicationIds)
    .orderBy([
      { column: 'finished_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .limit(filter.limit);
  if (filter.environment?.length) {
    query.whereIn('environment', filter.environment);
  }
  if (filter.from) query.where('finished_at', '>=', filter.from);
  if (filter.to) query.where('finished_at', '<', filter.to);
  if (filter.cursor) {
    const { finishedAt, id } = filter.cursor;
    query.where(q =>
      q
        .where('finished_at', '<', finishedAt)
        .orWhere(q2 =>
          q2.where('finished_at', '=', finishedAt).andWhere('id', '<', id),
        ),
    );
  }
  const rows: DeploymentRow[] = await query.select();
  return rows.map(rowToDeployment);
}

export async function listDeploymentFacts(
  db: Knex,
  filter: DeploymentFactsFilter,
): Promise<DeploymentFact[]> {
  const read = (ids?: string[]) =>
    db(`${DEPLOYMENTS} as d`)
      .leftJoin('gitops_deployment_changes as c', 'c.deployment_id', 'd.id')
      .leftJoin('gitops_commits as k', join =>
        join.on('k.sha', 'c.to_sha').andOn('k.repo_url', 'c.repo_url'),
      )
      .select(
        'k.data as commit',
        'd.application_id',
        'd.finished_at',
        'd.result',
        'd.kind',
        'c.from_sha',
        'c.to_sha',
        'c.commit_count',
        'c.commit_times',
      )
      .where('d.finished_at', '>=', filter.from)
      .where('d.finished_at', '<', filter.to)
      .modify(q => {
        if (ids) {
          // a team's or a service's applications: read on the
          // (application, time) index. The environment as an expression
          // keeps SQLite, which has no statistics, off the environment
          // index (a scan of the whole environment's window).
          q.whereIn('d.application_id', ids).whereRaw(
            `d.environment || '' = ?`,
            [filter.environment],
          );
        } else {
          q.where('d.environment', filter.environment);
        }
        if (filter.readable) {
          whereVisible(q, db, filter.readable, 'd.application_id');
        }
      });
  const rows: Array<{
    application_id: string;
    finished_at: string;
    result: string;
    kind: DeploymentKind | null;
    from_sha: string | null;
    to_sha: string | null;
    commit_count: number | null;
    commit_times: string | null;
    commit: string | null;
  }> = [];
  // no spread into push: the fleet's window can hold 100,000s of rows
  for (const batch of filter.applicationIds
    ? chunks(filter.applicationIds, 500)
    : [undefined]) {
    for (const row of await read(batch)) rows.push(row);
  }
  return rows.map(r => ({
    applicationId: r.application_id,
    finishedAt: r.finished_at,
    result: r.result,
    ...(r.kind ? { kind: r.kind } : {}),
    fromSha: r.from_sha ?? undefined,
    toSha: r.to_sha ?? undefined,
    commitCount: r.commit_count === null ? undefined : Number(r.commit_count),
    commitTimes: r.commit_times ? JSON.parse(r.commit_times) : undefined,
    message: r.commit ? JSON.parse(r.commit).message : undefined,
  }));
}
