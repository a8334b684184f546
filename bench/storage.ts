/*
 * Benchmark: how big the store gets. 100,000 applications (1,000 clusters x
 * 100 services), then 1,000,000 history rows (10 deployments per
 * application), written through the store's own
 * API, on SQLite (file) or PostgreSQL (BENCH_PG). Reports the database's
 * size after each step: the SQLite file (WAL checkpointed), or the
 * PostgreSQL tables with their indexes and TOAST.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseGitopsStore } from '../plugins/gitops-backend/src/database/DatabaseGitopsStore';
import type { NewDeployment } from '../plugins/gitops-backend/src/database/GitopsStore';
import { makeApplication } from '@gitops-portal/gitops-test-utils';
import { benchDatabase } from './benchDatabase';
import { runBench } from './setup';

const CLUSTERS = Number(process.env.BENCH_CLUSTERS ?? 1000);
const SERVICES = Number(process.env.BENCH_APPS_PER_CLUSTER ?? 100);
const PER_APP = Number(process.env.BENCH_DEPLOYMENTS_PER_APP ?? 10);

async function main() {
  const { knex, dir, database } = benchDatabase({ min: 1, max: 4 });
  const store = await DatabaseGitopsStore.create({
    database: { getClient: async () => knex } as any,
  });
  const size = async (): Promise<number> => {
    if (database === 'sqlite') {
      await knex.raw('PRAGMA wal_checkpoint(TRUNCATE)');
      return fs
        .readdirSync(dir)
        .reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
    }
    await knex.raw('VACUUM ANALYZE');
    const { rows } = await knex.raw(
      `select coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint as bytes
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r' and n.nspname = current_schema()`,
    );
    return Number(rows[0].bytes);
  };
  const empty = await size();

  let t0 = performance.now();
  const ids: string[] = [];
  for (let c = 1; c <= CLUSTERS; c++) {
    const apps = Array.from({ length: SERVICES }, (_, s) =>
      makeApplication({
        name: `svc-${s + 1}`,
        instance: `cluster-${c}`,
        environment: c % 10 === 1 ? 'dev' : c % 10 === 2 ? 'staging' : 'prod',
        labels: { 'app.kubernetes.io/name': `svc-${s + 1}` },
      }),
    );
    ids.push(...apps.map(a => a.id));
    await store.upsertApplications(apps);
  }
  const appsSeconds = (performance.now() - t0) / 1000;
  const withApps = await size();

  t0 = performance.now();
  const base = Date.UTC(2026, 0, 1);
  let batch: NewDeployment[] = [];
  for (let i = 0; i < PER_APP; i++) {
    for (let a = 0; a < ids.length; a++) {
      const finishedAt = new Date(
        base + (i * ids.length + a) * 1000,
      ).toISOString();
      const sha = (((a * PER_APP + i) * 2654435761) % 2 ** 32)
        .toString(16)
        .padStart(8, '0')
        .repeat(5);
      batch.push({
        applicationId: ids[a],
        dedupeKey: `${ids[a]}@${finishedAt}`,
        environment: 'prod',
        revisions: [sha],
        finishedAt,
        startedAt: finishedAt,
        result: i % 20 === 19 ? 'Failed' : 'Succeeded',
        origin: 'controller-history',
        initiatedBy: 'automated',
      } as NewDeployment);
      if (batch.length === 10_000) {
        await store.addDeployments(batch);
        batch = [];
      }
    }
  }
  if (batch.length) await store.addDeployments(batch);
  const historySeconds = (performance.now() - t0) / 1000;
  const withHistory = await size();
  const rows = Number(
    (await knex('gitops_deployments').count({ n: '*' }))[0].n,
  );
  const mb = (bytes: number) => +(bytes / 2 ** 20).toFixed(1);
  console.log(
    JSON.stringify({
      database,
      applications: ids.length,
      historyRows: rows,
      emptyMB: mb(empty),
      applicationsMB: mb(withApps - empty),
      historyMB: mb(withHistory - withApps),
      totalMB: mb(withHistory),
      per100kApplicationsMB: mb(((withApps - empty) * 100_000) / ids.length),
      per1MHistoryRowsMB: mb(((withHistory - withApps) * 1_000_000) / rows),
      applicationsSeconds: +appsSeconds.toFixed(1),
      historySeconds: +historySeconds.toFixed(1),
    }),
  );
  await knex.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}

runBench(main);
