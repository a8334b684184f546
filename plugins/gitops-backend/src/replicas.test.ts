import {
  TestDatabaseId,
  TestDatabases,
  registerMswTestHooks,
} from '@backstage/backend-test-utils';
import { until } from '@gitops-portal/gitops-test-utils';
import { Knex } from 'knex';
import { setupServer } from 'msw/node';
import { argoApp } from './__fixtures__/argo';
import { argoHandlers, fakeArgo, FakeArgo } from './__testUtils__/argoServer';
import { capturingLogger } from './__testUtils__/capturingLogger';
import {
  argoInstance,
  startGitopsTestBackend,
} from './__testUtils__/testBackend';

jest.setTimeout(120_000);

const server = setupServer();
registerMswTestHooks(server);

// replicas share work through the scheduler's rows in one database: PostgreSQL
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const ids = databases.eachSupportedId();

const INSTANCES = Array.from({ length: 6 }, (_, i) => `argo-${i + 1}`);

/** Waits for a condition (the shared helper waits for a value). */
const waitFor = (what: string, ok: () => Promise<boolean> | boolean) =>
  until(async () => ((await ok()) ? true : undefined), what);

/** The instances a replica read, from its own log lines. */
const readBy = (lines: string[]) =>
  new Set(
    lines
      .filter(l => /^debug Read \d+ applications/.test(l))
      .map(l => /"instance":"([^"]+)"/.exec(l)?.[1]),
  );

(ids.length
  ? describe.each(ids)
  : describe.skip.each(['POSTGRES_15' as TestDatabaseId]))(
  'two backend replicas on one database (%s)',
  id => {
    let knex: Knex;
    let argos: Record<string, FakeArgo>;

    const replica = async () => {
      const logger = capturingLogger();
      const backend = await startGitopsTestBackend({
        knex,
        // the real scheduler: global tasks are claimed through the database
        scheduler: 'real',
        features: [logger.factory],
        gitops: {
          watch: true,
          pollIntervalSeconds: 1,
          ingestionShards: 6,
          argocd: {
            instances: INSTANCES.map(name =>
              argoInstance(name, `https://${name}.argo.test`),
            ),
          },
        },
      });
      return { backend, lines: logger.lines };
    };

    beforeAll(async () => {
      knex = await databases.init(id);
      argos = Object.fromEntries(
        INSTANCES.map(name => [
          name,
          fakeArgo(`https://${name}.argo.test`, {
            apps: [argoApp({ name: `${name}-web`, historyCount: 2 })],
          }),
        ]),
      );
    });

    beforeEach(() => {
      server.use(...INSTANCES.flatMap(n => argoHandlers(argos[n])));
    });

    it('split the controllers between them, store each transition once, and hand over when one stops', async () => {
      const a = await replica();
      const b = await replica();
      try {
        // both replicas take part, and together they read every controller
        await waitFor('both replicas read controllers', () => {
          const ra = readBy(a.lines);
          const rb = readBy(b.lines);
          return (
            ra.size > 0 &&
            rb.size > 0 &&
            INSTANCES.every(n => ra.has(n) || rb.has(n))
          );
        });

        // each controller is read once per poll interval in all, not once
        // per replica: over 6 s at 1 s, about 6 list requests each (two
        // replicas each reading every controller would make about 12)
        const lists = (n: string) =>
          argos[n].requests.filter(
            r => r.method === 'GET' && r.path === '/api/v1/applications',
          ).length;
        const before = INSTANCES.map(lists);
        await new Promise(r => setTimeout(r, 6000));
        for (const [i, n] of INSTANCES.entries()) {
          expect(lists(n) - before[i]).toBeGreaterThanOrEqual(3);
          expect(lists(n) - before[i]).toBeLessThanOrEqual(9);
        }

        // a new deployment on every instance, while both replicas poll
        for (const name of INSTANCES) {
          argos[name].apps = [
            argoApp({ name: `${name}-web`, historyCount: 3 }),
          ];
        }
        const deployments = () =>
          knex('gitops_deployments').select('application_id', 'dedupe_key');
        await waitFor(
          'every new deployment stored',
          async () => (await deployments()).length === INSTANCES.length * 3,
        );
        // a few more cycles on both replicas: nothing is stored twice
        await new Promise(r => setTimeout(r, 3000));
        const rows = await deployments();
        expect(rows).toHaveLength(INSTANCES.length * 3);
        expect(new Set(rows.map(r => r.dedupe_key)).size).toBe(rows.length);

        // one replica stops: the other reads every controller from then on
        await a.backend.stop();
        b.lines.length = 0;
        const stoppedAt = Date.now();
        await waitFor('the remaining replica reads every controller', () =>
          INSTANCES.every(n => readBy(b.lines).has(n)),
        );
        // within a few poll intervals
        expect(Date.now() - stoppedAt).toBeLessThan(15_000);
      } finally {
        await b.backend.stop();
        await a.backend.stop().catch(() => {});
      }
    });
  },
);
