import { Knex } from 'knex';
import { MetricsSnapshotKey } from './GitopsStore';

// Delivery metrics computed for a scope, kept for a few minutes.

export async function getMetricsSnapshot(
  db: Knex,
  key: MetricsSnapshotKey,
): Promise<{ data: string; computedAt: string } | undefined> {
  const row = await db('gitops_metrics_snapshots')
    .where({
      scope: key.scope,
      environment: key.environment,
      window_days: key.windowDays,
    })
    .first();
  return row ? { data: row.data, computedAt: row.computed_at } : undefined;
}

export async function putMetricsSnapshot(
  db: Knex,
  key: MetricsSnapshotKey,
  data: string,
  computedAt: string,
): Promise<void> {
  await db('gitops_metrics_snapshots')
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
