/*
 * Benchmark: one service page's data (its deployments across environments
 * and their history) through our backend versus the rival Argo CD backends,
 * in the same run, against the same sandbox: 5 Argo CD instances answering
 * with 50 ms latency, a service with an application on each instance.
 *
 * Each backend runs as a real Backstage backend (startTestBackend) over real
 * HTTP. The requests are those each plugin's frontend makes for the page:
 *  - ours: GET deployments and GET history (one indexed read each);
 *  - Roadie (@roadiehq/backstage-plugin-argo-cd-backend): find/selector
 *    (fans out to every instance), the selector list of each instance that
 *    has the service, then the revision metadata of every history entry;
 *  - community (@backstage-community/plugin-argocd-backend): the selector
 *    list of each instance, then the revision metadata of every entry.
 * Rival requests run all at once (unlimited browser concurrency: their best
 * case). The rivals are installed from npm into bench/rivals by
 * `npm run bench`; when one cannot be loaded, the output says why.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import { gitopsPlugin } from '../plugins/gitops-backend/src/plugin';
import { startSandboxProcess } from './sandboxProcess';
import { runBench } from './setup';

const INSTANCES = 5;
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const APPS = 2_000; // 400 per instance
const PAGES = Number(process.env.BENCH_PAGES ?? 30);
const SERVICES = Array.from({ length: 10 }, (_, i) => `load-${i * 7}`);
const auth = { authorization: mockCredentials.user.header() };

type Page = (
  service: string,
) => Promise<{ apps: number; historyEntries: number; requests: number }>;

async function getJson(url: string) {
  const res = await fetch(url, { headers: auth });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

function loadRival(name: string): {
  plugin?: any;
  version?: string;
  error?: string;
} {
  const dir = path.join(__dirname, 'rivals', 'node_modules', name);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(dir);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { version } = require(path.join(dir, 'package.json'));
    return { plugin: mod.default, version };
  } catch (error) {
    return {
      error: `cannot load ${name} from bench/rivals: ${
        (error as Error).message.split('\n')[0]
      }`,
    };
  }
}

async function measure(page: Page) {
  for (const s of SERVICES.slice(0, 3)) await page(s); // warm up
  const samples: number[] = [];
  let shape = { apps: 0, historyEntries: 0, requests: 0 };
  for (let n = 0; n < PAGES; n++) {
    const start = performance.now();
    shape = await page(SERVICES[n % SERVICES.length]);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) =>
    +samples[Math.floor(p * (samples.length - 1))].toFixed(1);
  return { p50ms: q(0.5), p95ms: q(0.95), ...shape };
}

async function main() {
  const sb = await startSandboxProcess({
    extraApps: APPS,
    instances: INSTANCES,
    latencyMs: LATENCY_MS,
  });
  const instances = sb.instances.filter(i => i.startsWith('argo-'));
  const argoInstances = instances.map(name => ({
    name,
    url: `${sb.url}/argocd/${name}`,
    token: 'sandbox-token',
  }));
  const selector = (s: string) =>
    encodeURIComponent(`app.kubernetes.io/name=${s}`);
  const results: Record<string, unknown>[] = [];

  // ours: ingests in the background, serves the page from its store
  {
    const { server } = await startTestBackend({
      features: [
        gitopsPlugin,
        catalogServiceMock.factory({
          entities: SERVICES.map(name => ({
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name,
              namespace: 'default',
              annotations: {
                'argocd/app-selector': `app.kubernetes.io/name=${name}`,
              },
            },
            spec: {
              type: 'service',
              owner: 'group:default/team',
              lifecycle: 'production',
            },
          })),
        }),
        mockServices.rootLogger.factory({ level: 'warn' }),
        mockServices.scheduler.factory({
          includeInitialDelayedTasksOnStartup: true,
        }),
        mockServices.rootConfig.factory({
          data: {
            gitops: {
              git: { enabled: false },
              pollIntervalSeconds: 30,
              argocd: { instances: argoInstances },
            },
          },
        }),
      ],
    });
    const base = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/gitops`;
    const entity = (s: string) => `${base}/entities/component/default/${s}`;
    // the first ingestion cycle
    const deadline = Date.now() + 120_000;
    for (;;) {
      const body = await getJson(`${entity(SERVICES[0])}/deployments`).catch(
        () => undefined,
      );
      if (
        body?.environments?.flatMap((e: any) => e.applications).length ===
        INSTANCES
      )
        break;
      if (Date.now() > deadline)
        throw new Error('our backend did not ingest the sandbox within 120 s');
      await new Promise(r => setTimeout(r, 500));
    }
    const ours: Page = async s => {
      const [deployments, history] = await Promise.all([
        getJson(`${entity(s)}/deployments`),
        getJson(`${entity(s)}/history?limit=50`),
      ]);
      return {
        apps: deployments.environments.flatMap((e: any) => e.applications)
          .length,
        historyEntries: history.items.length,
        requests: 2,
      };
    };
    results.push({
      backend: 'gitops-portal (this repo)',
      ...(await measure(ours)),
    });
    await server.close();
  }

  /**
   * A rival backend, started with the same instances; `lists` makes the
   * selector-list requests its frontend makes, then every history entry's
   * revision metadata is fetched, as its history card does.
   */
  const rival = async (
    name: string,
    pluginId: string,
    lists: (
      base: string,
      service: string,
    ) => Promise<{ instance: string; items: any[]; requests: number }[]>,
  ) => {
    const loaded = loadRival(name);
    if (!loaded.plugin) {
      results.push({ backend: name, error: loaded.error });
      return;
    }
    const { server } = await startTestBackend({
      features: [
        loaded.plugin,
        mockServices.rootLogger.factory({ level: 'warn' }),
        mockServices.rootConfig.factory({
          data: {
            argocd: {
              appLocatorMethods: [{ type: 'config', instances: argoInstances }],
            },
          },
        }),
      ],
    });
    const base = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }/api/${pluginId}`;
    const page: Page = async s => {
      const found = await lists(base, s);
      const revisions = found.flatMap(l =>
        l.items.flatMap((app: any) =>
          (app.status?.history ?? []).map(
            (h: any) =>
              `${base}/argoInstance/${l.instance}/applications/name/${app.metadata.name}/revisions/${h.revision}/metadata`,
          ),
        ),
      );
      await Promise.all(revisions.map(getJson));
      return {
        apps: found.reduce((n, l) => n + l.items.length, 0),
        historyEntries: revisions.length,
        requests: found.reduce((n, l) => n + l.requests, 0) + revisions.length,
      };
    };
    results.push({
      backend: `${name} ${loaded.version}`,
      ...(await measure(page)),
    });
    await server.close();
  };
  const selectorList = (base: string, instance: string, s: string) =>
    getJson(
      `${base}/argoInstance/${instance}/applications/selector/${selector(s)}`,
    ).then(l => ({ instance, items: l.items ?? [], requests: 1 }));

  // Roadie: find/selector fans out to every instance, then one list per hit
  await rival(
    '@roadiehq/backstage-plugin-argo-cd-backend',
    'argocd',
    async (base, s) => {
      const found: { name: string }[] = await getJson(
        `${base}/find/selector/${selector(s)}`,
      );
      const lists = await Promise.all(
        found.map(f => selectorList(base, f.name, s)),
      );
      if (lists.length) lists[0].requests += 1; // the find request
      return lists;
    },
  );
  // community: one list per configured instance
  await rival(
    '@backstage-community/plugin-argocd-backend',
    'backstage-community-argocd',
    (base, s) => Promise.all(instances.map(i => selectorList(base, i, s))),
  );

  const ours = results[0] as { p50ms: number };
  for (const r of results.slice(1) as { p50ms?: number; fasterBy?: string }[]) {
    if (r.p50ms) r.fasterBy = `${(r.p50ms / ours.p50ms).toFixed(1)}x`;
  }
  console.log(
    JSON.stringify({
      instances: INSTANCES,
      latencyMs: LATENCY_MS,
      applications: APPS,
      pages: PAGES,
      results,
    }),
  );
  sb.stop();
  process.exit(0);
}

runBench(main);
