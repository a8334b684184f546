import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { startSandbox } from '@gitops-portal/gitops-sandbox';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { DatabaseGitopsStore } from '../database/DatabaseGitopsStore';
import { ArgoProvider } from '../providers/argocd/ArgoProvider';
import { EnvironmentConfig } from '../model/environments';
import { IngestionService } from './IngestionService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const environments: EnvironmentConfig = {
  order: ['dev', 'staging', 'prod'],
  label: 'environment',
  fallback: 'default',
  rules: [],
};

const until = async (what: string, ok: () => Promise<boolean>) => {
  const deadline = Date.now() + 20_000;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
};

/** The sandbox's Argo CD instance `main` at `url`. */
const argoProvider = (url: string) =>
  new ArgoProvider({
    instance: {
      name: 'main',
      url,
      uiUrl: url,
      username: 'admin',
      password: 'sandbox',
      skipTLSVerify: false,
      timeoutMs: 5_000,
    },
    environments,
  });

describe('watching Argo CD between full reads', () => {
  let sb: Awaited<ReturnType<typeof startSandbox>>;
  beforeAll(async () => {
    sb = await startSandbox({
      port: 0,
      commitEverySeconds: 0,
      syncSeconds: 30,
      git: false,
    });
  });
  afterAll(() => sb.stop());

  async function setup(url: string) {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseGitopsStore.create({
      database: { getClient: async () => knex },
    });
    const provider = argoProvider(url);
    const logger = mockServices.logger.mock();
    // what the service tells through a child logger lands here too
    logger.child.mockReturnValue(logger);
    const ingestion = new IngestionService({
      store,
      providers: () => [provider],
      logger,
      instanceTimeoutMs: 10_000,
    });
    return { store, ingestion, logger };
  }

  /** Runs one shard task: a full read, then the watch until `ms` from now. */
  const runWatching = (ingestion: IngestionService, ms: number) => {
    let done = false;
    const run = ingestion
      .runShard(0, 1, { watchUntil: Date.now() + ms })
      .finally(() => {
        done = true;
      });
    return { run, done: () => done };
  };

  const idle = (name: string) =>
    sb.sandbox
      .list('main')
      .items.some(
        (a: any) =>
          a.metadata.name === name && a.status.sync.status === 'Synced',
      );

  it('stores a change at the controller while the watch is open, before the next full read', async () => {
    const { store, ingestion } = await setup(`${sb.url}/argocd/main`);
    const task = runWatching(ingestion, 8_000);
    const id = 'argocd:main:argocd:payments-dev';
    await until('first read', async () => !!(await store.getApplication(id)));
    expect(idle('payments-dev')).toBe(true);
    sb.sandbox.push({ instance: 'main', name: 'payments-dev' });
    await until(
      'the change stored',
      async () => (await store.getApplication(id))?.syncStatus === 'OutOfSync',
    );
    // learnt from the stream: the shard's run (read, then watch) is still on
    expect(task.done()).toBe(false);
    const app = await store.getApplication(id);
    expect(app?.outOfSyncSince).toBeDefined();
    await task.run;
  });

  it('hands on only what changed since the full read: the burst a stream starts with is dropped', async () => {
    const own = await startSandbox({
      port: 0,
      commitEverySeconds: 0,
      syncSeconds: 30,
      git: false,
    });
    try {
      const provider = argoProvider(`${own.url}/argocd/main`);
      const read = await provider.read({});
      expect(read.applications.length).toBeGreaterThan(5);
      const handed: string[] = [];
      const controller = new AbortController();
      const watching = provider
        .watch({
          signal: controller.signal,
          onChange: async changed => {
            handed.push(...changed.applications.map(a => a.name));
          },
        })
        .catch(() => undefined);
      // the stream's ADDED event per application, and a batch's interval
      await new Promise(r => setTimeout(r, 1_500));
      expect(handed).toEqual([]);
      own.sandbox.push({ instance: 'main', name: 'payments-dev' });
      await until('the change handed on', async () =>
        handed.includes('payments-dev'),
      );
      expect([...new Set(handed)]).toEqual(['payments-dev']);
      controller.abort();
      await watching;
    } finally {
      await own.stop();
    }
  });

  it('catches up at the next full read with events the stream dropped, or when it stalls', async () => {
    // an Argo CD whose stream sends nothing: dropped events or a silent stall
    let streams = 0;
    const proxy = http.createServer(async (req, res) => {
      if (req.url?.includes('/stream/')) {
        streams += 1;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.flushHeaders();
        return; // and never a line
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const upstream = await fetch(`${sb.url}${req.url}`, {
        method: req.method,
        headers: {
          authorization: String(req.headers.authorization ?? ''),
          'content-type': 'application/json',
        },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(await upstream.text());
    });
    await new Promise<void>(r => proxy.listen(0, '127.0.0.1', r));
    try {
      const { port } = proxy.address() as AddressInfo;
      const { store, ingestion, logger } = await setup(
        `http://127.0.0.1:${port}/argocd/main`,
      );
      const id = 'argocd:main:argocd:catalog-api-dev';
      const first = runWatching(ingestion, 3_000);
      await until('first read', async () => !!(await store.getApplication(id)));
      expect(idle('catalog-api-dev')).toBe(true);
      sb.sandbox.push({ instance: 'main', name: 'catalog-api-dev' });
      await first.run;
      expect(streams).toBe(1);
      // the stalled stream told nothing, and ended quietly when the run was due
      expect((await store.getApplication(id))?.syncStatus).toBe('Synced');
      expect(logger.warn).not.toHaveBeenCalled();
      // the next run's full read has it
      await ingestion.runShard(0, 1);
      expect((await store.getApplication(id))?.syncStatus).toBe('OutOfSync');
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  it('reads again at once when a watch fails, then watches again', async () => {
    const { ingestion, logger } = await setup(`${sb.url}/argocd/main`);
    const provider = (ingestion as any).options.providers()[0] as ArgoProvider;
    // a stream that runs a while, then is reset
    const watch = jest
      .spyOn(provider, 'watch')
      .mockImplementation(
        () =>
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error('stream reset by peer')), 1200),
          ),
      );
    const read = jest.spyOn(provider, 'read');
    const reports = await ingestion.runShard(0, 1, {
      watchUntil: Date.now() + 6_000,
    });
    expect(reports[0].ok).toBe(true);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /Watch of argocd instance 'main' failed: stream reset by peer; reading it again/,
      ),
    );
    // each failure: a full read, then a new watch (backing off in between)
    expect(watch.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(read.mock.calls.length).toBe(watch.mock.calls.length);
  });

  it('leaves a watch refused at once to the next run', async () => {
    const { ingestion, logger } = await setup(`${sb.url}/argocd/main`);
    const provider = (ingestion as any).options.providers()[0] as ArgoProvider;
    const watch = jest
      .spyOn(provider, 'watch')
      .mockRejectedValue(new Error('404 Not Found'));
    const started = Date.now();
    await ingestion.runShard(0, 1, { watchUntil: Date.now() + 5_000 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(watch).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/failed: 404 Not Found; polling goes on/),
    );
  });

  it('tells at once that a controller went away while watched', async () => {
    const { store, ingestion, logger } = await setup(`${sb.url}/argocd/main`);
    const down = (value: boolean) =>
      fetch(`${sb.url}/sandbox/down`, {
        method: 'POST',
        body: JSON.stringify({ instance: 'main', down: value }),
      });
    const started = Date.now();
    const task = runWatching(ingestion, 20_000);
    try {
      await until(
        'the first read',
        async () =>
          !!(await store.getApplication('argocd:main:argocd:payments-dev')),
      );
      await new Promise(r => setTimeout(r, 1000)); // watching
      await down(true);
      // the stream drops, the read that follows fails: told long before the
      // run's 20 s are over
      await until('unreachable told', async () =>
        logger.warn.mock.calls.some(([m]) =>
          /Could not read argocd instance 'main'/.test(String(m)),
        ),
      );
      expect(Date.now() - started).toBeLessThan(12_000);
      // and the run ends: the next one tries again
      await task.run;
      expect(task.done()).toBe(true);
    } finally {
      await down(false);
    }
  });

  it('never waits for a watch that does not stop', async () => {
    const { ingestion, logger } = await setup(`${sb.url}/argocd/main`);
    const provider = (ingestion as any).options.providers()[0] as ArgoProvider;
    jest.spyOn(provider, 'watch').mockReturnValue(new Promise(() => {}));
    const started = Date.now();
    await ingestion.runShard(0, 1, { watchUntil: Date.now() + 2_000 });
    expect(Date.now() - started).toBeLessThan(9_000);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/did not stop when asked/),
    );
  });
});
