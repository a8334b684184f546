import { TestDatabases, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DatabaseGitopsStore } from '../database/DatabaseGitopsStore';
import { gitAs, makeApplication } from '@gitops-portal/gitops-test-utils';
import { GitService } from './GitService';
import { rebase } from './annotations';
import { DatabaseGitStore } from './GitStore';
import { PlainGitClient } from './PlainGitClient';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const asCarol = gitAs({ name: 'Carol', email: 'carol@example.com' });

function repoWithHistory(count: number) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-svc-'));
  const remote = path.join(root, 'app.git');
  const work = path.join(root, 'work');
  const git = (...args: string[]) => asCarol(work, ...args);
  execFileSync('git', ['init', '--bare', '--quiet', '-b', 'main', remote]);
  execFileSync('git', ['clone', '--quiet', remote, work], { stdio: 'pipe' });
  git('checkout', '--quiet', '-b', 'main');
  const shas: string[] = [];
  for (let i = 1; i <= count; i++) {
    fs.writeFileSync(path.join(work, 'v.txt'), String(i));
    git('add', '.');
    git('commit', '--quiet', '-m', `release ${i}`);
    shas.push(git('rev-parse', 'HEAD'));
  }
  git('push', '--quiet', 'origin', 'main');
  return { url: `file://${remote}`, shas };
}

const INDEX = `apiVersion: v1
entries:
  redis:
    - version: 19.0.1
    - version: 19.2.0
    - version: 20.0.0-rc.1
    - version: 18.9.9
  other:
    - version: 99.0.0
`;

let charts: { port: number; close: () => void };
beforeAll(async () => {
  const srv = http.createServer((req, res) => {
    if (req.url === '/charts/index.yaml') {
      res.writeHead(200, { 'content-type': 'application/x-yaml' });
      res.end(INDEX);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>(r => srv.listen(0, '127.0.0.1', r));
  charts = {
    port: (srv.address() as AddressInfo).port,
    close: () => srv.close(),
  };
});
afterAll(() => charts.close());

describe.each(databases.eachSupportedId())('GitService (%s)', id => {
  /** A Git service on a fresh store, reading through real Git with a cache of its own. */
  const setup = async () => {
    const knex = await databases.init(id);
    const store = await DatabaseGitopsStore.create({
      database: { getClient: async () => knex },
    });
    const plain = new PlainGitClient({
      cacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-c-')),
    });
    const git = new GitService({
      store: new DatabaseGitStore(knex),
      integrations: ScmIntegrations.fromConfig(new ConfigReader({})),
      github: plain,
      plain,
      logger: mockServices.logger.mock(),
    });
    return { knex, store, plain, git };
  };

  it('describes every deployment once: its commit and the commits it brought since the last successful one', async () => {
    const { knex, store, plain, git } = await setup();
    const getRange = jest.spyOn(plain, 'getRange');
    const { url, shas } = repoWithHistory(6);
    const app = makeApplication({
      name: 'web',
      sources: [{ repoUrl: url, path: 'deploy', targetRevision: 'main' }],
      revisions: [shas[5]],
    });
    const chart = makeApplication({
      name: 'chart',
      sources: [{ repoUrl: 'https://charts.example.com', chart: 'redis' }],
      revisions: ['19.0.1'],
    });
    await store.upsertApplications([app, chart]);
    const at = (n: number, revision: string, result = 'Succeeded') => ({
      applicationId: app.id,
      dedupeKey: `d${n}`,
      environment: 'dev',
      revisions: [revision],
      finishedAt: `2026-11-0${n}T00:00:00.000Z`,
      result: result as 'Succeeded' | 'Failed',
      origin: 'observed' as const,
    });
    await store.addDeployments([
      at(1, shas[0]), // first: brings its own commit
      at(2, `main@sha1:${shas[2]}`), // brings 2 and 3
      at(3, shas[4], 'Failed'), // tries 4 and 5
      at(4, shas[4]), // brings 4 and 5: counted from the last success
      at(5, shas[1]), // rollback: brings nothing
      at(6, shas[1]), // redeploy of the same commit: nothing
      {
        ...at(7, '19.0.1'),
        applicationId: chart.id,
        dedupeKey: 'chart',
      },
      {
        ...at(8, shas[3]),
        applicationId: 'argocd:main:argocd:gone',
        dedupeKey: 'gone',
      },
    ]);

    // in batches, oldest first
    expect(
      await git.describeHistory({ applications: [app, chart], limit: 3 }),
    ).toMatchObject({ described: 3, failed: 0 });
    expect(
      await git.describeHistory({ applications: [app, chart], limit: 100 }),
    ).toMatchObject({ described: 5, failed: 0 });
    expect(
      await git.describeHistory({ applications: [app, chart], limit: 100 }),
    ).toEqual({ described: 0, failed: 0, applicationIds: [] });
    // one Git read per Git deployment, never repeated
    expect(getRange).toHaveBeenCalledTimes(6);

    const history = await git.annotateHistory(
      await store.listDeployments({
        applicationIds: [app.id, chart.id, 'argocd:main:argocd:gone'],
        limit: 100,
      }),
    );
    const byKey = (n: number) =>
      history.find(d => d.finishedAt.startsWith(`2026-11-0${n}`))!;
    const brought = [1, 2, 3, 4, 5, 6].map(n => byKey(n).changes?.count);
    expect(brought).toEqual([1, 2, 2, 2, 0, 0]);
    expect(byKey(4).changes?.fromSha).toBe(shas[2]);
    // every Git deployment has its commit, the rollback target included
    expect([1, 2, 3, 4, 5, 6].map(n => byKey(n).commit?.message)).toEqual([
      'release 1',
      'release 3',
      'release 5',
      'release 5',
      'release 2',
      'release 2',
    ]);
    expect(byKey(2).commit?.authorName).toBe('Carol');
    expect(byKey(2).changes?.oldestCommittedAt).toBeDefined();
    // not from Git, or of an application gone: described, without changes
    expect(byKey(7).changes).toBeUndefined();
    expect(byKey(8).changes).toBeUndefined();
    const errors = await knex('gitops_deployment_changes')
      .whereNotNull('error')
      .orderBy('deployment_id')
      .pluck('error');
    expect(errors).toEqual([
      'not a Git revision',
      'application no longer known',
    ]);
  });

  it('reads the pending commits of one commit of a branch once per refresh, whoever runs it', async () => {
    const { knex, plain, git } = await setup();
    const getPending = jest.spyOn(plain, 'getPending');
    const { url, shas } = repoWithHistory(4);
    const at = (name: string, sha: string) =>
      makeApplication({
        name,
        sources: [{ repoUrl: url, path: 'deploy', targetRevision: 'main' }],
        revisions: [sha],
      });
    await git.refresh([
      at('eu', shas[1]),
      at('us', shas[1]),
      at('dev', shas[3]),
    ]);
    expect(getPending).toHaveBeenCalledTimes(2);
    const statuses = await new DatabaseGitStore(knex).getStatuses([
      'argocd:main:argocd:eu',
      'argocd:main:argocd:us',
    ]);
    expect(statuses.get('argocd:main:argocd:us')![0].pending).toMatchObject({
      status: 'ahead',
      count: 2,
    });
    expect(statuses.get('argocd:main:argocd:eu')![0].pending).toEqual(
      statuses.get('argocd:main:argocd:us')![0].pending,
    );
  });

  it('stores deployed commits, pending commits and the promotion strip; a broken repo stays on its app', async () => {
    const { knex, git } = await setup();
    const { url, shas } = repoWithHistory(6);
    const source = [{ repoUrl: url, path: 'deploy', targetRevision: 'main' }];
    const dev = makeApplication({
      name: 'dev',
      environment: 'dev',
      sources: source,
      revisions: [shas[5]],
    });
    const staging = makeApplication({
      name: 'staging',
      environment: 'staging',
      sources: source,
      revisions: [`main@sha1:${shas[3]}`],
    });
    const prod = makeApplication({
      name: 'prod',
      environment: 'prod',
      sources: [{ ...source[0], targetRevision: 'v1.0.0' }],
      revisions: [shas[2]],
    });
    const broken = makeApplication({
      name: 'broken',
      environment: 'dev',
      sources: [
        { repoUrl: 'file:///nonexistent/repo.git', targetRevision: 'main' },
      ],
      revisions: [shas[0]],
    });
    const chart = makeApplication({
      name: 'chart',
      sources: [
        {
          repoUrl: `http://127.0.0.1:${charts.port}/charts`,
          chart: 'redis',
          targetRevision: '19.x',
        },
      ],
      revisions: ['19.0.1'],
    });

    const counts = await git.refresh([dev, staging, prod, broken, chart]);
    const chartInfo = (
      await new DatabaseGitStore(knex).getStatuses([chart.id])
    ).get(chart.id)!;
    // the newest stable version of the chart, prereleases ignored
    expect(chartInfo[0]).toMatchObject({
      revision: '19.0.1',
      latestChartVersion: '19.2.0',
    });
    expect(counts).toEqual({
      ok: 4,
      failed: 1,
      changed: [dev, staging, prod, broken, chart].map(a => a.id),
    });
    // read again, nothing new: no application to tell open pages about
    expect(
      (await git.refresh([dev, staging, prod, broken, chart])).changed,
    ).toEqual([]);

    const { environments, promotion } = await git.annotate([
      {
        environment: 'dev',
        order: 0,
        syncStatus: 'Synced',
        healthStatus: 'Healthy',
        applications: [dev, broken],
      },
      {
        environment: 'staging',
        order: 1,
        syncStatus: 'Synced',
        healthStatus: 'Healthy',
        applications: [staging],
      },
      {
        environment: 'prod',
        order: 2,
        syncStatus: 'Synced',
        healthStatus: 'Healthy',
        applications: [prod],
      },
    ]);
    const [devApp, brokenApp] = environments[0].applications;
    expect(devApp.git?.[0]).toMatchObject({
      commit: { sha: shas[5], message: 'release 6', authorName: 'Carol' },
      pending: { status: 'up-to-date', count: 0 },
    });
    expect(brokenApp.git?.[0].error).toMatch(/git fetch failed/);
    expect(environments[1].applications[0].git?.[0]).toMatchObject({
      commit: { message: 'release 4' },
      pending: {
        status: 'ahead',
        count: 2,
        commits: [{ message: 'release 6' }, { message: 'release 5' }],
      },
    });
    // pinned to a tag: no pending list
    expect(environments[2].applications[0].git?.[0].pending).toBeUndefined();
    expect(
      promotion.map(p => [p.environment, p.commit?.message, p.behindPrevious]),
    ).toEqual([
      ['dev', 'release 6', undefined],
      ['staging', 'release 4', 2],
      ['prod', 'release 3', 1],
    ]);
  });
});

describe('rebase', () => {
  const c = (n: number) => ({
    sha: String(n).repeat(40).slice(0, 40),
    message: `change ${n}`,
    authorName: 'A',
    committedAt: '2026-11-01T00:00:00Z',
  });
  const info = {
    repoUrl: 'https://github.com/acme/app',
    revision: c(1).sha,
    commit: c(1),
    pending: {
      branch: 'main',
      status: 'ahead' as const,
      count: 3,
      commits: [c(4), c(3), c(2)],
      compareUrl: 'https://github.com/acme/app/compare/1...4',
    },
  };

  it('keeps information read for the revision the application runs', () => {
    expect(rebase(info, c(1).sha, new Map())).toBe(info);
  });

  it('moves to a newer deployed revision: its commit, and only the commits still pending', () => {
    const moved = rebase(info, c(3).sha, new Map());
    expect(moved.commit).toEqual(c(3));
    expect(moved.pending).toMatchObject({
      status: 'ahead',
      count: 1,
      commits: [c(4)],
    });
    expect(moved.pending?.compareUrl).toBeUndefined();
    expect(rebase(info, c(4).sha, new Map()).pending).toMatchObject({
      status: 'up-to-date',
      count: 0,
    });
  });

  it('takes the commit from the cache and drops pending it cannot vouch for', () => {
    const moved = rebase(info, c(9).sha, new Map([[c(9).sha, c(9)]]));
    expect(moved.commit).toEqual(c(9));
    expect(moved.pending).toBeUndefined();
    expect(rebase(info, c(8).sha, new Map()).commit).toBeUndefined();
  });
});
