/*
 * Benchmark: push ingestion throughput. The real backend plugin (started
 * with startTestBackend, real HTTP, the real router and store) on SQLite
 * (file) or PostgreSQL (BENCH_PG) receives signed Flux events and Argo CD
 * notifications from concurrent senders; a share of them are redeliveries.
 * Reports events/s, and counts the stored deployments to prove that every
 * distinct event was kept once and none was lost.
 */
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { DatabaseGitopsStore } from '../plugins/gitops-backend/src/database/DatabaseGitopsStore';
import { gitopsPlugin } from '../plugins/gitops-backend/src/plugin';
import { makeApplication } from '@gitops-portal/gitops-test-utils';
import { benchDatabase } from './benchDatabase';
import { runBench } from './setup';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 64);
const APPS = 1_000;
const REDELIVERED = 0.1; // share of events sent twice
const FLUX_KEY = 'bench-flux-key';
const ARGO_TOKEN = 'bench-argo-token';

async function main() {
  const { knex, dir } = benchDatabase({ min: 2, max: 10 });
  const { server } = await startTestBackend({
    features: [
      gitopsPlugin,
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: {
          gitops: {
            git: { enabled: false },
            webhooks: { fluxHmacKey: FLUX_KEY, argocdToken: ARGO_TOKEN },
          },
        },
      }),
      mockServices.rootLogger.factory({ level: 'error' }),
      catalogServiceMock.factory({ entities: [] }),
    ],
  });
  const url = `http://127.0.0.1:${
    (server.address() as AddressInfo).port
  }/api/gitops`;

  // the applications the events are about, as the last poll stored them
  const store = await DatabaseGitopsStore.create({
    database: { getClient: async () => knex } as any,
    skipMigrations: true,
  });
  const apps = Array.from({ length: APPS }, (_, i) =>
    i % 2
      ? makeApplication({ name: `argo-${i}`, instance: 'main' })
      : makeApplication({
          id: `flux:flux-dev:flux-system:Kustomization/flux-${i}`,
          engine: 'flux',
          kind: 'Kustomization',
          instance: 'flux-dev',
          namespace: 'flux-system',
          name: `Kustomization/flux-${i}`,
        }),
  );
  await store.upsertApplications(apps);

  // distinct events, then a share of them again (controllers redeliver)
  const base = Date.UTC(2026, 10, 1);
  const distinct = Array.from({ length: EVENTS }, (_, n) => {
    const i = n % APPS;
    const at = new Date(base + n * 1000).toISOString();
    const revision = (n + 1).toString(16).padStart(40, '0');
    if (i % 2) {
      return {
        path: '/webhooks/argocd',
        headers: { 'x-gitops-token': ARGO_TOKEN },
        body: JSON.stringify({
          instance: 'main',
          app: { name: `argo-${i}`, namespace: 'argocd' },
          sync: { status: 'Synced', revision },
          health: { status: 'Healthy' },
          operation: {
            phase: 'Succeeded',
            startedAt: at,
            finishedAt: at,
            revision,
            initiatedBy: 'automated',
          },
        }),
      };
    }
    const body = JSON.stringify({
      involvedObject: {
        kind: 'Kustomization',
        namespace: 'flux-system',
        name: `flux-${i}`,
      },
      severity: 'info',
      timestamp: at,
      message: `Reconciliation finished, applied revision main@sha1:${revision}`,
      reason: 'ReconciliationSucceeded',
      metadata: { revision: `main@sha1:${revision}` },
      reportingController: 'kustomize-controller',
    });
    return {
      path: '/webhooks/flux/flux-dev',
      headers: {
        'x-signature': `sha256=${createHmac('sha256', FLUX_KEY)
          .update(body)
          .digest('hex')}`,
      },
      body,
    };
  });
  const events = [
    ...distinct,
    ...distinct.filter((_, n) => n % Math.round(1 / REDELIVERED) === 0),
  ];
  const file = path.join(dir, 'events.json');
  fs.writeFileSync(file, JSON.stringify(events));
  const sent = await new Promise<{
    seconds: number;
    statuses: Record<string, number>;
  }>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(__dirname, 'webhook-sender.mjs'), url, String(SENDERS), file],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', d => (out += d));
    child.on('exit', code =>
      code === 0
        ? resolve(JSON.parse(out))
        : reject(new Error(`sender exited ${code}`)),
    );
  });
  const { seconds, statuses } = sent;

  const [{ count }] = await knex('gitops_deployments')
    .where('origin', 'event')
    .count({ count: '*' });
  const stored = Number(count);
  console.log(
    JSON.stringify({
      database: knex.client.config.client === 'pg' ? 'postgresql' : 'sqlite',
      senders: SENDERS,
      eventsSent: events.length,
      distinctEvents: distinct.length,
      accepted: statuses[202] ?? 0,
      otherStatuses: Object.fromEntries(
        Object.entries(statuses).filter(([s]) => s !== '202'),
      ),
      seconds: +seconds.toFixed(2),
      eventsPerSecond: Math.round(events.length / seconds),
      deploymentsStored: stored,
      lost: distinct.length - stored,
    }),
  );
  await server.close();
  await knex.destroy();
  process.exit(0);
}

runBench(main);
