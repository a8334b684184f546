/*
 * Benchmark: an entity's Deployments through the whole HTTP stack of a
 * Backstage backend — auth (the test backend's httpAuth), the catalog
 * lookup (the real catalog plugin, over HTTP, with its entities from a
 * catalog file), the gitops router and its store — at 100,000 applications,
 * on SQLite (file) or PostgreSQL (BENCH_PG).
 *
 * The fleet: 90 edge services on 1,000 clusters each (90,000 applications)
 * and 2,500 ordinary services with 4 applications each (10,000). p50/p95 of
 * GET /entities/.../deployments for an ordinary service, and for an edge
 * service (1,000 applications in one answer).
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import knexFactory from 'knex';
import fs from 'node:fs';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { DatabaseGitopsStore } from '../plugins/gitops-backend/src/database/DatabaseGitopsStore';
import { makeApplication } from '@gitops-portal/gitops-test-utils';
import { gitopsPlugin } from '../plugins/gitops-backend/src/plugin';
import { benchDatabase } from './benchDatabase';
import { runBench } from './setup';

const CLUSTERS = 1000;
const EDGE_SERVICES = 90;
const SERVICES = 2500;
/** Entities in the catalog: the services measured. */
const MEASURED = 200;

async function main() {
  const { knex, dir, database } = benchDatabase({ min: 1, max: 8 });
  const store = await DatabaseGitopsStore.create({
    database: { getClient: async () => knex } as any,
  });
  const t0 = performance.now();
  for (let c = 1; c <= CLUSTERS; c++) {
    await store.upsertApplications(
      Array.from({ length: EDGE_SERVICES }, (_, s) =>
        makeApplication({
          name: `edge-${s + 1}`,
          instance: `cluster-${c}`,
          environment: c % 10 === 1 ? 'dev' : 'prod',
          labels: { 'app.kubernetes.io/name': `edge-${s + 1}` },
        }),
      ),
    );
  }
  const envs = ['dev', 'staging', 'prod', 'prod'];
  for (let start = 0; start < SERVICES; start += 250) {
    await store.upsertApplications(
      Array.from({ length: 250 }, (_, k) => start + k).flatMap(s =>
        envs.map((environment, e) =>
          makeApplication({
            name: `svc-${s}-${e}`,
            instance: `argo-${e}`,
            environment,
            labels: { 'app.kubernetes.io/name': `svc-${s}` },
          }),
        ),
      ),
    );
  }
  const seedSeconds = (performance.now() - t0) / 1000;
  if (database === 'postgresql') {
    // statistics, as autovacuum keeps them in a running database: freshly
    // seeded, the planner scans the label table instead of its index
    await knex.raw('VACUUM ANALYZE');
  }

  const component = (name: string) =>
    [
      'apiVersion: backstage.io/v1alpha1',
      'kind: Component',
      'metadata:',
      `  name: ${name}`,
      '  annotations:',
      `    argocd/app-selector: app.kubernetes.io/name=${name}`,
      'spec:',
      '  type: service',
      '  lifecycle: production',
      '  owner: group:default/team',
    ].join('\n');
  const measured = [
    ...Array.from(
      { length: MEASURED },
      (_, i) => `svc-${(i * 7919) % SERVICES}`,
    ),
    ...Array.from({ length: 10 }, (_, i) => `edge-${i * 9 + 1}`),
  ];
  const catalogFile = path.join(dir, 'catalog.yaml');
  fs.writeFileSync(catalogFile, measured.map(component).join('\n---\n'));

  const { server } = await startTestBackend({
    features: [
      gitopsPlugin,
      catalogPlugin,
      // gitops: the seeded store; the catalog: a database of its own
      createServiceFactory({
        service: coreServices.database,
        deps: { plugin: coreServices.pluginMetadata },
        factory({ plugin }) {
          const client =
            plugin.getId() === 'gitops'
              ? knex
              : knexFactory({
                  client: 'better-sqlite3',
                  connection: {
                    filename: path.join(dir, `${plugin.getId()}.sqlite`),
                  },
                  useNullAsDefault: true,
                });
          return { getClient: async () => client };
        },
      }),
      mockServices.rootLogger.factory({ level: 'warn' }),
      mockServices.rootConfig.factory({
        data: {
          backend: { baseUrl: 'http://localhost:0' },
          catalog: {
            rules: [{ allow: ['Component', 'Location'] }],
            locations: [{ type: 'file', target: catalogFile }],
            processingInterval: { seconds: 2 },
          },
          gitops: { git: { enabled: false }, argocd: { instances: [] } },
        },
      }),
    ],
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  const headers = { authorization: mockCredentials.user.header() };
  const get = async (url: string) => {
    const res = await fetch(`${base}${url}`, { headers });
    const body = await res.text();
    if (!res.ok) throw new Error(`${url}: ${res.status} ${body}`);
    return body;
  };
  // the catalog has every measured entity
  const deadline = Date.now() + 300_000;
  for (const name of measured) {
    for (;;) {
      const ok = await get(
        `/catalog/entities/by-name/component/default/${name}`,
      )
        .then(() => true)
        .catch(() => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error(`catalog: no ${name}`);
      await new Promise(r => setTimeout(r, 500));
    }
  }
  const measure = async (names: string[], n: number) => {
    const samples: number[] = [];
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const name = names[i % names.length];
      const start = performance.now();
      bytes = (
        await get(`/gitops/entities/component/default/${name}/deployments`)
      ).length;
      samples.push(performance.now() - start);
    }
    samples.sort((a, b) => a - b);
    const q = (p: number) =>
      +samples[Math.floor(p * (samples.length - 1))].toFixed(2);
    return {
      p50ms: q(0.5),
      p95ms: q(0.95),
      responseKB: Math.round(bytes / 1024),
    };
  };
  // warm up, then measure
  await measure(measured.slice(0, MEASURED), 50);
  const ordinary = await measure(measured.slice(0, MEASURED), 400);
  const edge = await measure(measured.slice(MEASURED), 200);
  console.log(
    JSON.stringify({
      database,
      applications: CLUSTERS * EDGE_SERVICES + SERVICES * envs.length,
      seedSeconds: +seedSeconds.toFixed(1),
      ordinaryService: { applications: envs.length, ...ordinary },
      edgeService: { applications: CLUSTERS, ...edge },
    }),
  );
  await server.close();
  await knex.destroy();
  process.exit(0);
}

runBench(main);
