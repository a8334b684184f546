import { ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { SANDBOX_TOKEN, startSandbox } from '@gitops-portal/gitops-sandbox';

jest.setTimeout(240_000);

// a replica killed hard, then restarted, on one PostgreSQL (the scheduler's
// locks live there); skipped where no test PostgreSQL is configured
const PG = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;

const until = async (what: string, ok: () => Promise<boolean> | boolean) => {
  const deadline = Date.now() + 150_000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise(r => setTimeout(r, 500));
  }
};

// a fault run of about 80 s: `npm run test:soak` (CI runs it), not `npm test`
const SOAK = process.env.GITOPS_SOAK === '1';

(PG && SOAK ? describe : describe.skip)('a replica killed mid-ingest', () => {
  it('is restarted with no duplicate and no gap in the history, its lock handed over by the scheduler', async () => {
    const sb = await startSandbox({
      port: 0,
      commitEverySeconds: 0,
      syncSeconds: 2,
      git: false,
    });
    // Argo CD, through a proxy that kills the replica in the middle of its
    // first ingest: after the list, while it reads the rest
    let replica: ChildProcess | undefined;
    let requests = 0;
    let killed = false;
    const proxy = http.createServer(async (req, res) => {
      requests += 1;
      if (!killed && requests === 3) {
        killed = true;
        replica?.kill('SIGKILL');
      }
      const upstream = await fetch(`${sb.url}${req.url}`, {
        headers: { authorization: String(req.headers.authorization ?? '') },
      }).catch(() => undefined);
      if (!upstream) {
        res.destroy();
        return;
      }
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(await upstream.text());
    });
    await new Promise<void>(r => proxy.listen(0, '127.0.0.1', r));
    const prefix = `kill_${Date.now().toString(36)}_`;
    const config = {
      backend: {
        baseUrl: 'http://localhost:7199',
        listen: { port: 7199, host: '127.0.0.1' },
        database: { client: 'pg', connection: PG, prefix },
      },
      gitops: {
        git: { enabled: false },
        watch: false,
        pollIntervalSeconds: 2,
        instanceTimeoutSeconds: 5,
        argocd: {
          instances: [
            {
              name: 'main',
              url: `http://127.0.0.1:${
                (proxy.address() as AddressInfo).port
              }/argocd/main`,
              token: SANDBOX_TOKEN,
            },
          ],
        },
      },
    };
    const output: string[] = [];
    const start = () => {
      const child = spawn(
        process.execPath,
        [
          '--require',
          require.resolve('@backstage/cli/config/nodeTransform.cjs'),
          path.join(__dirname, '__testUtils__', 'replicaProcess.ts'),
        ],
        {
          // not 'test': the scheduler's janitor, which frees the locks of
          // dead replicas, runs only outside tests
          env: {
            ...process.env,
            NODE_ENV: 'production',
            REPLICA_CONFIG: JSON.stringify(config),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child.stdout!.on('data', d => output.push(String(d)));
      child.stderr!.on('data', d => output.push(String(d)));
      return child;
    };
    const db: Knex = knexFactory({
      client: 'pg',
      connection: `${PG}/${prefix}gitops`,
    });
    try {
      replica = start();
      const exited = new Promise(r => replica!.on('exit', r));
      await until('the replica killed mid-ingest', () => killed);
      expect(await exited).toBeNull(); // no exit code: killed
      // it held the shard's lock when it died
      const lock = async () =>
        (
          await db('backstage_backend_tasks__tasks')
            .where('id', 'like', 'gitops-ingestion-%')
            .first()
        )?.current_run_ticket ?? null;
      expect(await lock()).not.toBeNull();

      // while it is dead: a commit is pushed and rolled out
      const pushed = sb.sandbox.push({
        instance: 'main',
        name: 'payments-dev',
      })!;
      await until('the rollout at the controller', () =>
        sb.sandbox
          .list('main')
          .items.some(
            (a: any) =>
              a.metadata.name === 'payments-dev' &&
              a.status.sync.status === 'Synced' &&
              a.status.sync.revision === pushed.revision,
          ),
      );

      // restarted: it finds its own lock still held, until the timeout and
      // the janitor free it; then it ingests
      replica = start();
      await until(
        'the restarted replica to ingest the pushed revision',
        async () =>
          (
            await db('gitops_applications')
              .where({ id: 'argocd:main:argocd:payments-dev' })
              .first()
          )?.revision === pushed.revision,
      );

      // no duplicate and no gap: each entry of each application's Argo CD
      // history — the one deployed during the outage too — is stored once
      // (the restarted replica's first read writes applications one
      // instance page at a time: wait until it has written them all)
      const storedCounts = async () => {
        const rows: Array<{ application_id: string; finished_at: string }> =
          await db('gitops_deployments').select(
            'application_id',
            'finished_at',
          );
        return (sb.sandbox.list('main').items as any[]).flatMap(app => {
          const id = `argocd:main:${app.metadata.namespace}:${app.metadata.name}`;
          return ((app.status.history ?? []) as any[]).map(h => ({
            id,
            deployedAt: h.deployedAt as string,
            stored: rows.filter(
              r =>
                r.application_id === id &&
                Date.parse(r.finished_at) === Date.parse(h.deployedAt),
            ).length,
          }));
        });
      };
      await until('every history entry stored', async () =>
        (await storedCounts()).every(e => e.stored > 0),
      );
      const counts = await storedCounts();
      const entries = counts.length;
      for (const entry of counts) {
        expect(entry).toEqual({ ...entry, stored: 1 });
      }
      expect(entries).toBeGreaterThan(10);
      const outage = (sb.sandbox.list('main').items as any[])
        .find(a => a.metadata.name === 'payments-dev')
        .status.history.at(-1);
      expect(outage.revision).toBe(pushed.revision);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${output.join('')}`);
    } finally {
      replica?.kill('SIGKILL');
      await db.destroy();
      proxy.closeAllConnections();
      proxy.close();
      await sb.stop();
    }
  });
});
