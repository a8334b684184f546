/**
 * History you can trust: a live sandbox fleet records every deployment it
 * performs (ground truth); the backend ingests it the way it would a real
 * Argo CD (polls, the application stream with dropped events, notifications
 * delivered twice, an instance outage, a backend restart), and what it
 * stores is compared with what happened: every deployment once, each
 * labelled as it was, and the delivery metrics equal.
 */
import {
  TestDatabases,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { SANDBOX_TOKEN, startSandbox } from '@gitops-portal/gitops-sandbox';
import { Knex } from 'knex';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { gitopsPlugin } from './plugin';
import {
  compareWithTruth,
  confusionTable,
  metricsOf,
  storedDeployments,
  truthFacts,
} from './__testUtils__/groundTruth';

jest.setTimeout(240_000);

// both stores: a PostgreSQL run once showed a hydrated application's older
// history entry stored by its hydrated commit (a read missed between two
// syncs); the provider now keeps the dry commits Argo CD tells in passing
const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
});
const HOOK_TOKEN = 'soak-argocd-hook-token';
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/**
 * Forwards the sandbox's notifications to the backend that runs now (none
 * while it restarts), and delivers each one twice, as a sender retrying
 * after a timeout would.
 */
async function notificationRelay() {
  let target: string | undefined;
  let forwarded = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      res.writeHead(202).end();
      if (!target) return; // the backend is down: the notification is lost
      for (let i = 0; i < 2; i++) {
        await fetch(`${target}${req.url}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-gitops-token': String(req.headers['x-gitops-token'] ?? ''),
          },
          body,
        }).catch(() => undefined);
        forwarded += 1;
      }
    });
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    to(url?: string) {
      target = url;
    },
    forwarded: () => forwarded,
    close: () => new Promise(r => server.close(r)),
  };
}

describe.each(databases.eachSupportedId())('ground truth soak (%s)', id => {
  let knex: Knex;
  let relay: Awaited<ReturnType<typeof notificationRelay>>;
  let sb: Awaited<ReturnType<typeof startSandbox>>;

  beforeAll(async () => {
    knex = await databases.init(id);
    relay = await notificationRelay();
    sb = await startSandbox({
      port: 0,
      commitEverySeconds: 0,
      syncSeconds: 2,
      autoMergeSeconds: 0,
      streamDropRate: 0.3,
      notify: {
        backendUrl: `${relay.url}/api/gitops`,
        argocdToken: HOOK_TOKEN,
      },
    });
  });
  afterAll(async () => {
    await sb?.stop();
    await relay?.close();
  });

  const backend = async () => {
    const b = await startTestBackend({
      features: [
        gitopsPlugin,
        schedulerServiceFactory,
        mockServices.database.factory({ knex }),
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            gitops: {
              git: { enabled: false },
              pollIntervalSeconds: 3,
              webhooks: { argocdToken: HOOK_TOKEN },
              argocd: {
                instances: ['main', 'prod'].map(name => ({
                  name,
                  url: `${sb.url}/argocd/${name}`,
                  token: SANDBOX_TOKEN,
                })),
              },
            },
          },
        }),
      ],
    });
    const port = (b.server.address() as AddressInfo).port;
    relay.to(`http://127.0.0.1:${port}/api/gitops`);
    return b;
  };

  it('stores every deployment once, labelled as it happened', async () => {
    const since = new Date().toISOString();
    let running = await backend();
    const argo = sb.sandbox;
    const gitApps = () =>
      argo
        .groundTruth()
        .filter(t => /^[0-9a-f]{40}$/.test(t.revision))
        .map(t => ({ instance: t.instance, name: t.name }))
        .filter(
          (a, i, all) =>
            all.findIndex(
              b => b.name === a.name && b.instance === a.instance,
            ) === i,
        );
    const apps = gitApps();
    expect(apps.length).toBeGreaterThan(4);
    const pick = (i: number) => apps[i % apps.length];
    const pinned = apps.filter(a => !a.name.endsWith('-dev'));
    const earlier = (a: { instance: string; name: string }) => {
      const revs = argo
        .groundTruth()
        .filter(
          t =>
            t.instance === a.instance &&
            t.name === a.name &&
            t.result === 'Succeeded',
        )
        .map(t => t.revision);
      return [...new Set(revs)].slice(-3, -1)[0];
    };

    for (let round = 0; round < 12; round++) {
      // new commits on several applications and branches
      for (let k = 0; k < 3; k++) argo.push(pick(round * 3 + k));
      // a failed sync, retried by auto-sync
      if (round % 4 === 1) {
        const a = pick(round + 1);
        argo.failNextSync(
          a.instance,
          a.name,
          'one or more synchronization tasks failed',
        );
        argo.push(a);
      }
      // a rollback to a revision deployed before (staging and prod: dev
      // follows its branch)
      if (round % 4 === 2) {
        const a = pinned[round % pinned.length];
        const revision = earlier(a);
        if (revision) argo.push({ ...a, revision });
      }
      // someone edits a live resource by hand: self-heal reverts it
      if (round % 4 === 3) {
        pinned.find((_, i) => {
          const a = pinned[(round + i) % pinned.length];
          return argo.drift(a.instance, a.name);
        });
      }
      // a person syncs the revision already running
      if (round % 3 === 0) {
        const a = pick(round + 4);
        argo.sync(a.instance, a.name);
      }
      // the prod instance is unreachable for a while
      if (round === 4)
        await fetch(`${sb.url}/sandbox/down`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ instance: 'prod', down: true }),
        });
      if (round === 6)
        await fetch(`${sb.url}/sandbox/down`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ instance: 'prod', down: false }),
        });
      // the backend restarts: notifications meanwhile are lost
      if (round === 8) {
        relay.to(undefined);
        await running.stop();
        await sleep(1000);
        running = await backend();
      }
      await sleep(3000);
    }

    // let every started sync finish, then the backend read it all
    await sleep(8000);
    const truth = argo
      .groundTruth()
      .filter(t => t.finishedAt >= since.replace(/\.\d{3}Z$/, 'Z'));
    let comparison = compareWithTruth(
      truth,
      await storedDeployments(knex, since),
    );
    for (let i = 0; i < 20 && comparison.missing.length; i++) {
      await sleep(1000);
      comparison = compareWithTruth(
        truth,
        await storedDeployments(knex, since),
      );
    }
    await running.stop();

    const kinds = new Set(truth.map(t => t.kind));
    process.stdout.write(
      `\nground truth (${id}): ${truth.length} deployments, kinds ${[
        ...kinds,
      ].join(
        ', ',
      )}; ${relay.forwarded()} notifications delivered\n${confusionTable(
        comparison,
      )}\n`,
    );
    // diagonal: nothing missing, nothing recorded twice, nothing mislabelled
    expect({
      missing: comparison.missing,
      extra: comparison.extra,
      mislabelled: comparison.mislabelled,
    }).toEqual({ missing: [], extra: [], mislabelled: [] });
    // the soak made every kind the sandbox can make
    expect([...kinds].sort()).toEqual([
      'failed',
      'new-commit',
      'redeploy',
      'rollback',
      'self-heal',
    ]);
    // delivery metrics from the store equal those of what happened
    const to = new Date().toISOString();
    const stored = await storedDeployments(knex, since);
    expect(metricsOf(stored, since, to)).toEqual(
      metricsOf(truthFacts(truth), since, to),
    );
  });
});
