import {
  TestDatabaseId,
  TestDatabases,
  mockCredentials,
} from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import net from 'node:net';
import request from 'supertest';
import { argoApp } from './__fixtures__/argo';
import { argoHandlers, fakeArgo } from './__testUtils__/argoServer';
import { component } from './__testUtils__/catalogEntities';
import {
  argoInstance,
  backendTestServer,
  startGitopsTestBackend,
} from './__testUtils__/testBackend';
import { isStoreUnavailable } from './router';

jest.setTimeout(60_000);

const server = backendTestServer();

const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const ids = databases.eachSupportedId();

/** A TCP proxy in front of the database that can drop and refuse connections. */
async function dbProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let up = true;
  const proxy = net.createServer(client => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>(r => proxy.listen(0, '127.0.0.1', r));
  return {
    port: (proxy.address() as net.AddressInfo).port,
    /** The database goes away: open connections drop, new ones are refused. */
    down() {
      up = false;
      for (const s of sockets) s.destroy();
    },
    up() {
      up = true;
    },
    close: () => proxy.close(),
  };
}

(ids.length
  ? describe.each(ids)
  : describe.skip.each(['POSTGRES_15' as TestDatabaseId]))(
  'the database going away and coming back (%s)',
  id => {
    let knex: Knex;
    let proxy: Awaited<ReturnType<typeof dbProxy>>;
    // what knex says of the dropped connections (it would print them)
    const knexWarnings: string[] = [];
    const auth = { Authorization: mockCredentials.user.header() };

    beforeAll(async () => {
      // a database of its own for this test, reached through the proxy
      const direct = await databases.init(id);
      const { host, port, user, password, database } = direct.client.config
        .connection as Knex.PgConnectionConfig;
      proxy = await dbProxy({ host: host ?? '127.0.0.1', port: port ?? 5432 });
      knex = knexFactory({
        client: 'pg',
        connection: {
          host: '127.0.0.1',
          port: proxy.port,
          user,
          password,
          database,
        },
        pool: { min: 0, max: 4 },
        acquireConnectionTimeout: 3000,
        log: {
          warn: (message: string) => knexWarnings.push(message),
          error: (message: string) => knexWarnings.push(message),
        },
      });
    });
    afterAll(async () => {
      await knex?.destroy();
      proxy?.close();
    });

    it('answers 503 while it is away, loses nothing, and carries on when it is back', async () => {
      const argo = fakeArgo('https://argo.test', {
        apps: [
          argoApp({
            name: 'checkout-prod',
            labels: { 'app.kubernetes.io/name': 'checkout' },
            historyCount: 3,
          }),
        ],
      });
      server.use(...argoHandlers(argo));
      const backend = await startGitopsTestBackend({
        knex,
        entities: [component('checkout', 'group:default/team-checkout')],
        gitops: {
          argocd: { instances: [argoInstance('main', 'https://argo.test')] },
        },
      });
      const app = request(backend.server);
      const deployments = () =>
        app
          .get('/api/gitops/entities/component/default/checkout/deployments')
          .set(auth);
      const history = () =>
        app
          .get('/api/gitops/entities/component/default/checkout/history')
          .set(auth);
      try {
        let before: any;
        for (let i = 0; i < 100; i++) {
          before = await history();
          if (before.body.items?.length === 3) break;
          await new Promise(r => setTimeout(r, 100));
        }
        expect(before.body.items).toHaveLength(3);

        proxy.down();
        const away = await deployments();
        expect(away.status).toBe(503);
        expect(away.body.error).toMatchObject({
          name: 'ServiceUnavailableError',
          message: 'The GitOps store is unavailable; try again shortly',
        });
        // no host or port of the database in the answer
        expect(JSON.stringify(away.body)).not.toContain(String(proxy.port));
        // the connections really dropped (knex saw them go)
        expect(knexWarnings.join('\n')).toMatch(/Connection/);

        proxy.up();
        let back: request.Response | undefined;
        for (let i = 0; i < 50; i++) {
          back = await deployments();
          if (back.status === 200) break;
          await new Promise(r => setTimeout(r, 100));
        }
        expect(back?.status).toBe(200);
        expect(
          back?.body.environments.flatMap((e: any) =>
            e.applications.map((a: any) => a.name),
          ),
        ).toEqual(['checkout-prod']);
        expect((await history()).body.items).toEqual(before.body.items);
      } finally {
        await backend.stop();
      }
    });

    it('tells a database that is away from a query that is wrong', () => {
      expect(isStoreUnavailable({ code: 'ECONNREFUSED' })).toBe(true);
      expect(isStoreUnavailable({ code: '57P01' })).toBe(true);
      expect(isStoreUnavailable({ name: 'KnexTimeoutError' })).toBe(true);
      expect(
        isStoreUnavailable(new Error('Connection terminated unexpectedly')),
      ).toBe(true);
      expect(isStoreUnavailable({ code: '23505' })).toBe(false);
      expect(isStoreUnavailable(new Error('syntax error at or near'))).toBe(
        false,
      );
    });
  },
);
