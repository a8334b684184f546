import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  ChangeProposal,
  GitopsApplication,
} from '@gitops-portal/plugin-gitops-common';
import { gitAuthFromIntegrations } from '@gitops-portal/plugin-gitops-node';
import {
  git,
  gitRepository,
  makeApplication,
} from '@gitops-portal/gitops-test-utils';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { DatabaseGitopsStore } from '../database/DatabaseGitopsStore';
import { NewDeployment } from '../database/GitopsStore';
import { DatabaseProposalStore } from '../database/ProposalStore';
import { parseFreezeWindow } from '../promotion/freezes';
import { GitopsService } from './GitopsService';
import { ProposalService } from './ProposalService';
import { GitService } from '../git/GitService';
import { DatabaseGitStore } from '../git/GitStore';
import { PlainGitClient } from '../git/PlainGitClient';
import { PromotionSettings } from '../config';

jest.setTimeout(60_000);

// every layout and policy on both stores (the history a soak or an
// automatic rollback reads, the proposals a freeze override writes)
const DB_IDS = ['SQLITE_3', 'POSTGRES_15'] as const;
const databases = TestDatabases.create({ ids: [...DB_IDS] });
/** The store the tests of the running block use. */
let db: (typeof DB_IDS)[number] = 'SQLITE_3';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const manifest = (
  name: string,
  repoUrl: string,
  revision: string,
) => `# ${name}: reviewed by the platform team
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}   # do not rename
  namespace: argocd
spec:
  project: default
  source:
    repoURL: ${repoUrl}
    path: deploy/overlays/prod
    targetRevision: "${revision}"  # pinned; promotions change this line
  destination: { server: https://kubernetes.default.svc, namespace: shop }
  syncPolicy:
    automated: {}
`;

const kustomization = (tag: string) => `# overlay
resources:
  - ../../base
images:
  - name: ghcr.io/acme/shop   # the app
    newTag: ${tag}
  - name: redis
    newTag: "7.2"
`;

const values = (tag: string) => `replicas: 2
image:
  repository: ghcr.io/acme/shop
  tag: '${tag}' # set by promotions
`;

async function setup(options: {
  annotation: string;
  apps: (
    shop: ReturnType<typeof gitRepository>,
    fleet: ReturnType<typeof gitRepository>,
  ) => {
    staging?: Partial<GitopsApplication>;
    prod: Partial<GitopsApplication>;
  };
  allow?: boolean;
  config?: object;
  settings?: Partial<PromotionSettings>;
}) {
  const shop = gitRepository('shop');
  const c1 = shop.commit('first', {
    'deploy/overlays/staging/kustomization.yaml': kustomization('v1.0.0'),
    'deploy/overlays/prod/kustomization.yaml': kustomization('v1.0.0'),
    'deploy/overlays/prod/values.yaml': values('v1.0.0'),
  });
  const c2 = shop.commit('feat: v1.1.0', {
    'deploy/overlays/staging/kustomization.yaml': kustomization('v1.1.0'),
    'deploy/overlays/prod/values.yaml': values('v1.1.0'),
  });
  const c3 = shop.commit('feat: v1.2.0', {
    'deploy/overlays/staging/kustomization.yaml': kustomization('v1.2.0'),
  });
  const fleet = gitRepository('fleet');
  fleet.commit('init', {
    'README.md': '# fleet\n',
    'apps/shop/prod.yaml': manifest('shop-prod', shop.url, c1),
  });
  const knex = await databases.init(db);
  const store = await DatabaseGitopsStore.create({
    database: { getClient: async () => knex },
  });
  const spec = options.apps(shop, fleet);
  const apps = [
    makeApplication({
      name: 'shop-staging',
      environment: 'staging',
      sources: [{ repoUrl: shop.url, path: 'deploy/overlays/staging' }],
      revisions: [c3],
      labels: { app: 'shop' },
      ...spec.staging,
    }),
    makeApplication({
      name: 'shop-prod',
      instance: 'prod',
      environment: 'prod',
      sources: [
        {
          repoUrl: shop.url,
          path: 'deploy/overlays/prod',
          targetRevision: c1,
        },
      ],
      revisions: [c1],
      labels: { app: 'shop' },
      ...spec.prod,
    }),
  ];
  await store.upsertApplications(apps);
  const prod = apps[1];
  await store.addDeployments(
    [c1, c2, c1].map((sha, i) => ({
      applicationId: prod.id,
      dedupeKey: `d${i}`,
      environment: 'prod',
      revisions: [sha],
      finishedAt: `2026-11-0${i + 1}T10:00:00Z`,
      result: 'Succeeded' as const,
      origin: 'observed' as const,
    })),
  );
  const entity: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'shop',
      namespace: 'default',
      annotations: {
        'argocd/app-selector': 'app=shop',
        'backstage.io/kubernetes-id': 'shop',
        'gitops-portal.io/promotion': options.annotation,
      },
    },
    spec: { type: 'service', owner: 'team-a' },
  };
  const environments = {
    order: ['dev', 'staging', 'prod'],
    label: 'environment',
    fallback: 'dev',
    rules: [],
  };
  const proposals = new DatabaseProposalStore(knex);
  const service = new GitopsService({
    store,
    proposals,
    catalog: catalogServiceMock({ entities: [entity] }),
    environments,
    logger: mockServices.logger.mock(),
  });
  const config = new ConfigReader(options.config ?? {});
  const integrations = ScmIntegrations.fromConfig(config);
  const github =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  const permissions = mockServices.permissions.mock();
  permissions.authorize.mockResolvedValue([
    {
      result:
        options.allow === false ? AuthorizeResult.DENY : AuthorizeResult.ALLOW,
    },
  ]);
  const auditor = mockServices.auditor.mock();
  const success = jest.fn();
  const fail = jest.fn();
  auditor.createEvent.mockResolvedValue({ success, fail } as any);
  const deployed: ChangeProposal[] = [];
  const autoRollbacks: ChangeProposal[] = [];
  // commits read from the repositories themselves
  const reader = new PlainGitClient({
    cacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'proposals-commits-')),
  });
  const proposer = new ProposalService({
    service,
    store,
    proposals,
    environments,
    settings: {
      fleetRepo: fleet.url,
      fleetBranch: 'main',
      allowDirect: false,
      rules: [],
      author: { name: 'Backstage GitOps', email: 'gitops@example.com' },
      trackIntervalSeconds: 30,
      portalUrl: 'http://portal.example.com',
      // the service's own repository, and the GitHub fleet of the tests below
      allowedRepositories: [shop.url, 'https://github.com/acme/fleet'],
      maxFileBytes: 64 * 1024,
      ...options.settings,
    },
    integrations,
    github,
    auth: gitAuthFromIntegrations(integrations, github),
    permissions,
    auditor,
    logger: mockServices.logger.mock(),
    cacheDir: fs.mkdtempSync(path.join(os.tmpdir(), 'proposals-cache-')),
    git: new GitService({
      store: new DatabaseGitStore(knex),
      integrations,
      github: reader,
      plain: reader,
      logger: mockServices.logger.mock(),
    }),
    onDeployed: async p => {
      deployed.push(p);
    },
    onAutoRollback: async p => {
      autoRollbacks.push(p);
    },
    serviceCredentials: async () => mockCredentials.service(),
    failureWindowHours: 24,
  });
  const propose = (request: any) =>
    proposer.propose({
      entityRef: 'component:default/shop',
      request,
      credentials: mockCredentials.user('user:default/alice'),
      userRef: 'user:default/alice',
    });
  const history = async () =>
    (
      await store.listDeployments({ applicationIds: [prod.id], limit: 10 })
    ).sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
  /** What the shop's page is offered: each environment's options, and proposals. */
  const changes = () =>
    proposer.getChanges('component:default/shop', mockCredentials.user());
  /** The controller ran `sha` on an application (in a second, by default). */
  const ran = (
    app: GitopsApplication,
    dedupeKey: string,
    sha: string,
    more: Partial<Pick<NewDeployment, 'finishedAt' | 'result' | 'origin'>> = {},
  ) =>
    store.addDeployments([
      {
        applicationId: app.id,
        dedupeKey,
        environment: app.environment,
        revisions: [sha],
        finishedAt: new Date(Date.now() + 1000).toISOString(),
        result: 'Succeeded',
        origin: 'observed',
        ...more,
      },
    ]);
  return {
    deployed,
    autoRollbacks,
    root: path.dirname(path.dirname(shop.bare)),
    shop,
    fleet,
    staging: apps[0],
    c1,
    c2,
    c3,
    knex,
    store,
    prod,
    service,
    proposer,
    propose,
    history,
    changes,
    ran,
    permissions,
    audit: { success, fail, createEvent: auditor.createEvent },
  };
}

/** prod follows main of the shop repository instead of a pinned commit. */
const followMain = (t: Awaited<ReturnType<typeof setup>>) =>
  t.store.upsertApplications([
    {
      ...t.prod,
      sources: [
        {
          repoUrl: t.shop.url,
          path: 'deploy/overlays/prod',
          targetRevision: 'main',
        },
      ],
    },
  ]);

describe.each(DB_IDS)('ProposalService (%s)', id => {
  beforeAll(() => {
    db = id;
  });

  it('manifest: promotes prod to what staging runs, changing only the pinned revision', async () => {
    const t = await setup({
      annotation: 'manifest',
      apps: () => ({ prod: {} }),
    });
    const before = t.fleet.show('main', 'apps/shop/prod.yaml');
    const preview = await t.propose({
      action: 'promote',
      environment: 'prod',
      dryRun: true,
    });
    expect(preview.status).toBe('preview');
    expect(preview.files.map(f => f.path)).toEqual(['apps/shop/prod.yaml']);
    expect(preview.files[0].diff).toContain(`-    targetRevision: "${t.c1}"`);
    expect(preview.files[0].diff).toContain(`+    targetRevision: "${t.c3}"`);
    expect(t.fleet.refs()).toBe('refs/heads/main'); // a preview writes nothing
    // what goes out: the commits staging runs that prod does not
    expect(preview.commitCount).toBe(2);
    expect(preview.commits?.map(c => [c.sha, c.message])).toEqual([
      [t.c3, 'feat: v1.2.0'],
      [t.c2, 'feat: v1.1.0'],
    ]);

    const p = await t.propose({
      action: 'promote',
      environment: 'prod',
      note: 'release train 42',
    });
    expect(p).toMatchObject({
      status: 'open',
      mode: 'branch',
      shape: 'manifest',
      fromEnvironment: 'staging',
      value: t.c3,
      currentValue: t.c1,
      createdBy: 'user:default/alice',
    });
    // a plain Git server has no page for the branch: no link to its front page
    expect(p.url).toBeUndefined();
    expect(p.branch).toMatch(/^gitops\/promote-prod-/);
    const after = t.fleet.show(p.branch, 'apps/shop/prod.yaml');
    // byte for byte the same file but the one value
    expect(after).toBe(before.replace(t.c1, t.c3));
    const message = execFileSync(
      'git',
      ['log', '-1', '--format=%an%n%B', p.branch],
      { cwd: t.fleet.bare },
    ).toString();
    expect(message).toContain('Backstage GitOps');
    expect(message).toContain('Promote shop staging → prod');
    expect(message).toContain('release train 42');
    expect(message).toContain('proposed by user:default/alice');
    expect(t.audit.success).toHaveBeenCalledTimes(2);

    // the same promotion again, while it is open: refused
    await expect(
      t.propose({ action: 'promote', environment: 'prod' }),
    ).rejects.toMatchObject({ name: 'ConflictError' });

    // reviewed and merged, then the controller deploys it
    git(t.fleet.bare, 'update-ref', 'refs/heads/main', p.commitSha!);
    await t.proposer.tracker.track();
    let [stored] = (await t.changes()).proposals;
    expect(stored).toMatchObject({ status: 'merged', mergedSha: p.commitSha });
    // a push event: provisional, replaced by the next poll
    await t.ran(t.prod, 'event', t.c3, {
      finishedAt: new Date(Date.now() + 500).toISOString(),
      origin: 'event',
    });
    await t.ran(t.prod, 'after', t.c3);
    await t.proposer.tracker.track();
    [stored] = (await t.changes()).proposals;
    expect(stored.status).toBe('deployed');
    // its proposer is told once, however often it is followed again
    await t.proposer.tracker.track();
    expect(t.deployed.map(d => [d.id, d.status, d.createdBy])).toEqual([
      [stored.id, 'deployed', 'user:default/alice'],
    ]);
    const [observed] = await t
      .knex('gitops_deployments')
      .where({ dedupe_key: 'after' })
      .select('id');
    expect(stored.deploymentId).toBe(String(observed.id));
    const page = await t.service.getEntityHistory(
      { entityRef: 'component:default/shop', limit: 10 },
      mockCredentials.user(),
    );
    expect(page.items[0].proposal).toMatchObject({
      action: 'promote',
      createdBy: 'user:default/alice',
      branch: p.branch, // the history row names the change it ran
    });

    // main already pins c3: a second promotion proposes nothing
    await expect(
      t.propose({ action: 'promote', environment: 'prod' }),
    ).rejects.toThrow(/nothing to propose/);
  });

  it('proposes, never merges, the rollback of a promotion that turns Degraded, once, and tells the owners', async () => {
    const t = await setup({
      annotation: 'manifest',
      apps: () => ({ prod: {} }),
      settings: { autoRollback: true },
    });
    const p = await t.propose({ action: 'promote', environment: 'prod' });
    git(t.fleet.bare, 'update-ref', 'refs/heads/main', p.commitSha!);
    await t.proposer.tracker.track();
    await t.ran(t.prod, 'promoted', t.c3);
    await t.proposer.tracker.track();
    // Healthy after the promotion: nothing to do
    await t.store.upsertApplications([{ ...t.prod, revisions: [t.c3] }]);
    expect(await t.proposer.tracker.proposeAutoRollbacks()).toEqual([]);
    // Degraded: the rollback to what ran before (c1), as a branch to review
    await t.store.upsertApplications([
      { ...t.prod, revisions: [t.c3], healthStatus: 'Degraded' },
    ]);
    const main = git(t.fleet.bare, 'rev-parse', 'refs/heads/main');
    const [rollback, ...more] = await t.proposer.tracker.proposeAutoRollbacks();
    expect(more).toEqual([]);
    expect(rollback).toMatchObject({
      action: 'rollback',
      environment: 'prod',
      value: t.c1,
      currentValue: t.c3,
      status: 'open',
      createdBy: 'gitops-backend (automatic rollback)',
    });
    expect(rollback.note).toMatch(/^Automatic: shop-prod turned Degraded/);
    expect(git(t.fleet.bare, 'rev-parse', 'refs/heads/main')).toBe(main);
    expect(t.fleet.show(rollback.branch, 'apps/shop/prod.yaml')).toContain(
      t.c1,
    );
    expect(t.autoRollbacks.map(x => x.id)).toEqual([rollback.id]);
    // once per promotion
    expect(await t.proposer.tracker.proposeAutoRollbacks()).toEqual([]);
    expect(t.autoRollbacks).toHaveLength(1);
  });

  it('soak: holds a promotion until staging has run the candidate Synced and Healthy long enough, with no failure of it', async () => {
    const t = await setup({
      annotation: 'manifest',
      apps: () => ({ prod: {} }),
      settings: { soakMinutes: { prod: 30 } },
    });
    const minutesAgo = (m: number) =>
      new Date(Date.now() - m * 60_000).toISOString();
    const deploy = (
      key: string,
      sha: string,
      m: number,
      result: NewDeployment['result'] = 'Succeeded',
    ) => t.ran(t.staging, key, sha, { finishedAt: minutesAgo(m), result });
    const prodPromote = async () =>
      (await t.changes()).environments.find(e => e.environment === 'prod')!
        .promote;
    // staging took c3 ten minutes ago, after c2
    await deploy('s1', t.c2, 60);
    await deploy('s2', t.c3, 10);
    const held = await prodPromote();
    expect(held.available).toBe(false);
    expect(held.heldBy).toBe('soak');
    // open 30 minutes after c3 reached staging
    expect(
      Math.abs(Date.parse(held.until!) - (Date.now() + 20 * 60_000)),
    ).toBeLessThan(60_000);
    expect(held.reason).toMatch(
      new RegExp(
        `^Soak \\(30 min\\): staging has run ${t.c3.slice(
          0,
          7,
        )} for 10 of 30 minutes; promotable at 20\\d\\d-`,
      ),
    );
    // the API refuses it too, with the same reason
    await expect(
      t.propose({ action: 'promote', environment: 'prod', dryRun: true }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: held.reason,
    });
    // c3 has run longer: an earlier deployment of it, 40 minutes ago
    await deploy('s0', t.c3, 40);
    expect((await prodPromote()).available).toBe(true);
    // a failed deployment of c3 since: held, and why
    await deploy('s3', t.c3, 2, 'Failed');
    expect((await prodPromote()).reason).toBe(
      `Soak (30 min): a deployment of ${t.c3.slice(0, 7)} to staging failed`,
    );
  });

  it('freeze: refuses a promotion while a window is in force, says until when; an override needs its permission and is audited', async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const t = await setup({
      annotation: 'manifest',
      apps: () => ({ prod: {} }),
      settings: {
        freezes: [
          parseFreezeWindow(
            { environments: ['prod'], from, to, reason: 'Release freeze' },
            'test',
          ),
        ],
      },
    });
    const { environments } = await t.changes();
    const reason = `Frozen: Release freeze (${from} – ${to}) until ${to}`;
    expect(environments.find(e => e.environment === 'prod')!.promote).toEqual({
      available: false,
      fromEnvironment: 'staging',
      heldBy: 'freeze',
      until: to,
      reason,
    });
    // rollbacks are not frozen
    expect(
      environments.find(e => e.environment === 'prod')!.rollback.available,
    ).toBe(true);
    await expect(
      t.propose({ action: 'promote', environment: 'prod' }),
    ).rejects.toMatchObject({ name: 'ConflictError', message: reason });
    // an override without its permission: 403, and nothing pushed
    const refs = t.fleet.refs();
    t.permissions.authorize.mockImplementation(async requests =>
      requests.map(r => ({
        result:
          r.permission.name === 'gitops.application.promote.override'
            ? AuthorizeResult.DENY
            : AuthorizeResult.ALLOW,
      })),
    );
    await expect(
      t.propose({ action: 'promote', environment: 'prod', override: true }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: `${reason}; overriding it needs gitops.application.promote.override`,
    });
    expect(t.fleet.refs()).toBe(refs);
    // with it: proposed, and audited as an override
    t.permissions.authorize.mockResolvedValue([
      { result: AuthorizeResult.ALLOW },
    ]);
    const p = await t.propose({
      action: 'promote',
      environment: 'prod',
      override: true,
    });
    expect(p.status).toBe('open');
    expect(t.audit.createEvent).toHaveBeenLastCalledWith(
      expect.objectContaining({
        severityLevel: 'high',
        meta: expect.objectContaining({ override: true }),
      }),
    );
  });

  it('manifest: rolls back to the revision of an earlier deployment', async () => {
    const t = await setup({
      annotation: 'manifest',
      apps: () => ({ prod: {} }),
    });
    const [, second] = await t.history();
    const p = await t.propose({
      action: 'rollback',
      environment: 'prod',
      deploymentId: second.id,
    });
    expect(p).toMatchObject({ value: t.c2, targetDeploymentId: second.id });
    expect(t.fleet.show(p.branch, 'apps/shop/prod.yaml')).toContain(
      `targetRevision: "${t.c2}"  # pinned; promotions change this line`,
    );
  });

  it('lists the commits a rollback undoes', async () => {
    const t = await setup({
      annotation: 'manifest',
      apps: () => ({ prod: {} }),
    });
    // prod runs c3 now; going back to the deployment of c2 undoes c3
    await t.store.upsertApplications([{ ...t.prod, revisions: [t.c3] }]);
    const [, second] = await t.history();
    const preview = await t.propose({
      action: 'rollback',
      environment: 'prod',
      deploymentId: second.id,
      dryRun: true,
    });
    expect(preview.value).toBe(t.c2);
    expect(preview.commitCount).toBe(1);
    expect(preview.commits?.map(c => [c.sha, c.message])).toEqual([
      [t.c3, 'feat: v1.2.0'],
    ]);
  });

  it('manifest: pins the Flux GitRepository beside the Kustomization of the environment', async () => {
    const flux = (env: string) => `# ${env} cluster
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: shop
  namespace: flux-system
spec:
  interval: 1m
  url: URL
  ref:
    branch: main
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: shop-${env}
  namespace: flux-system
spec:
  interval: 5m
  path: ./deploy/overlays/${env}
  prune: true
  sourceRef: { kind: GitRepository, name: shop }
`;
    const t = await setup({
      annotation: 'manifest',
      apps: () => ({ prod: {} }),
    });
    t.fleet.commit('flux', {
      'clusters/staging/shop.yaml': flux('staging').replace('URL', t.shop.url),
      'clusters/prod/shop.yaml': flux('prod').replace('URL', t.shop.url),
    });
    const asFlux = (app: GitopsApplication, env: string, sha: string) => ({
      ...app,
      id: `flux:${app.instance}:flux-system:shop-${env}`,
      engine: 'flux' as const,
      kind: 'Kustomization',
      namespace: 'flux-system',
      name: `shop-${env}`,
      environment: env,
      revisions: [`main@sha1:${sha}`],
      labels: { 'backstage.io/kubernetes-id': 'shop' },
      sources: [{ repoUrl: t.shop.url, path: `deploy/overlays/${env}` }],
    });
    // the entity's applications are now the Flux ones
    await t.knex('gitops_applications').delete();
    await t.knex('gitops_application_labels').delete();
    await t.store.upsertApplications([
      asFlux(t.prod, 'staging', t.c3),
      asFlux(t.prod, 'prod', t.c1),
    ]);
    const p = await t.propose({ action: 'promote', environment: 'prod' });
    expect(p.files.map(f => f.path)).toEqual(['clusters/prod/shop.yaml']);
    expect(t.fleet.show(p.branch, 'clusters/prod/shop.yaml')).toBe(
      flux('prod')
        .replace('URL', t.shop.url)
        .replace('    branch: main', `    branch: main\n    commit: ${t.c3}`)
        .trimEnd(),
    );
  });

  it('kustomize-image: copies the tag staging runs into the prod overlay', async () => {
    const t = await setup({
      annotation: 'kustomize-image,image=ghcr.io/acme/shop',
      apps: () => ({
        prod: {
          sources: [
            {
              repoUrl: 'x',
              path: 'deploy/overlays/prod',
              targetRevision: 'main',
            },
          ],
        },
      }),
    });
    // the prod app follows main of the shop repository
    await followMain(t);
    const p = await t.propose({ action: 'promote', environment: 'prod' });
    expect(p).toMatchObject({
      value: 'v1.2.0',
      currentValue: 'v1.0.0',
      baseBranch: 'main',
    });
    expect(
      t.shop.show(p.branch, 'deploy/overlays/prod/kustomization.yaml'),
    ).toBe(
      kustomization('v1.0.0')
        .replace('newTag: v1.0.0', 'newTag: v1.2.0')
        .trimEnd(),
    );
  });

  it('kustomize-image, an overlay per environment on one branch: promotes by the tags the overlays pin, not by commits', async () => {
    const t = await setup({
      annotation: 'kustomize-image,image=ghcr.io/acme/shop',
      apps: () => ({ prod: {} }),
    });
    // staging and prod both follow main and run its head (c3); at c3
    // staging's overlay pins v1.2.0 and prod's v1.0.0
    await t.store.upsertApplications([
      {
        ...t.prod,
        sources: [
          {
            repoUrl: t.shop.url,
            path: 'deploy/overlays/prod',
            targetRevision: 'main',
          },
        ],
        revisions: [t.c3],
      },
    ]);
    const { environments } = await t.changes();
    expect(environments.find(e => e.environment === 'prod')!.promote).toEqual({
      available: true,
      fromEnvironment: 'staging',
    });
    const p = await t.propose({ action: 'promote', environment: 'prod' });
    expect(p).toMatchObject({ value: 'v1.2.0', currentValue: 'v1.0.0' });
    expect(
      t.shop.show(p.branch, 'deploy/overlays/prod/kustomization.yaml'),
    ).toContain('newTag: v1.2.0');
    // merged: both overlays pin v1.2.0 at the head, nothing left to promote
    git(t.shop.bare, 'update-ref', 'refs/heads/main', p.commitSha!);
    await expect(
      t.propose({ action: 'promote', environment: 'prod', dryRun: true }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining('nothing to propose'),
    });
  });

  it("helm-values, a file per environment: takes the source value from the source environment's own file", async () => {
    const t = await setup({
      annotation:
        'staging:helm-values,file=values-staging.yaml,key=image.tag; prod:helm-values,file=values-prod.yaml,key=image.tag',
      apps: () => ({ prod: {} }),
    });
    const c4 = t.shop.commit('values per environment', {
      'deploy/overlays/staging/values-staging.yaml': values('v2.0.0'),
      'deploy/overlays/prod/values-prod.yaml': values('v1.9.0'),
    });
    const followingMain = {
      repoUrl: t.shop.url,
      path: 'deploy/overlays/prod',
      targetRevision: 'main',
    };
    await t.store.upsertApplications([
      { ...t.staging, revisions: [c4] },
      { ...t.prod, sources: [followingMain], revisions: [c4] },
    ]);
    const p = await t.propose({ action: 'promote', environment: 'prod' });
    expect(p).toMatchObject({ value: 'v2.0.0', currentValue: 'v1.9.0' });
    expect(t.shop.show(p.branch, 'deploy/overlays/prod/values-prod.yaml')).toBe(
      values('v2.0.0').trimEnd(),
    );
  });

  it('helm-values: a key the file does not have is a 400 that names the keys it has', async () => {
    const t = await setup({
      annotation:
        'staging:manifest; prod:helm-values,file=values.yaml,key=image.version',
      apps: () => ({ prod: {} }),
    });
    await followMain(t);
    const [first] = await t.history();
    await expect(
      t.propose({
        action: 'rollback',
        environment: 'prod',
        deploymentId: first.id,
      }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        'deploy/overlays/prod/values.yaml has image.tag: name it with key=<path>',
      ),
    });
  });

  it('helm-values: rolls back the image tag to the value at the chosen deployment', async () => {
    const t = await setup({
      annotation:
        'staging:manifest; prod:helm-values,file=values.yaml,key=image.tag',
      apps: () => ({ prod: {} }),
    });
    await followMain(t);
    const [first] = await t.history();
    const p = await t.propose({
      action: 'rollback',
      environment: 'prod',
      deploymentId: first.id,
    });
    expect(p).toMatchObject({ value: 'v1.0.0', currentValue: 'v1.1.0' });
    expect(t.shop.show(p.branch, 'deploy/overlays/prod/values.yaml')).toBe(
      values('v1.0.0').trimEnd(),
    );
  });

  it('revert: rolls a branch-following environment back by reverting the commits since', async () => {
    const t = await setup({ annotation: 'revert', apps: () => ({ prod: {} }) });
    await followMain(t);
    const [first] = await t.history();
    const p = await t.propose({
      action: 'rollback',
      environment: 'prod',
      deploymentId: first.id,
    });
    expect(p).toMatchObject({ shape: 'revert', value: t.c1 });
    // the branch's tree is the tree of c1 again, in one new commit on main
    expect(git(t.shop.bare, 'rev-parse', `${p.branch}^{tree}`)).toBe(
      git(t.shop.bare, 'rev-parse', `${t.c1}^{tree}`),
    );
    expect(git(t.shop.bare, 'rev-parse', `${p.branch}~1`)).toBe(t.c3);
    // no promotion in this shape, and why
    const { environments } = await t.changes();
    expect(environments.find(e => e.environment === 'prod')!.promote).toEqual({
      available: false,
      reason: 'prod follows its branch: promote by merging to it',
    });
  });

  it('refuses a rule that does not match the repository, writing nothing', async () => {
    const t = await setup({
      annotation: 'kustomize-image,image=ghcr.io/acme/other',
      apps: () => ({ prod: {} }),
    });
    await followMain(t);
    const refs = t.shop.refs();
    await expect(
      t.propose({ action: 'promote', environment: 'prod' }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        "image 'ghcr.io/acme/other' of the kustomization has no images",
      ),
    });
    // and what the rule should say
    await expect(
      t.propose({ action: 'promote', environment: 'prod' }),
    ).rejects.toMatchObject({
      message: expect.stringContaining(
        'lists the images ghcr.io/acme/shop, redis: name one with image=<name> in the gitops-portal.io/promotion annotation',
      ),
    });
    expect(t.shop.refs()).toBe(refs);
  });

  it.each(['refs/tags/v1.2.0', 'v1.2.0', 'f'.repeat(64)])(
    'refuses a value shape on an environment pinned to %s, writing nothing',
    async pin => {
      const t = await setup({
        annotation: 'kustomize-image,image=ghcr.io/acme/shop',
        apps: shop => ({
          prod: {
            sources: [
              {
                repoUrl: shop.url,
                path: 'deploy/overlays/prod',
                targetRevision: pin,
              },
            ],
          },
        }),
      });
      const refs = t.shop.refs();
      await expect(
        t.propose({ action: 'promote', environment: 'prod' }),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: `'shop-prod' is pinned to ${pin}, not a branch: the kustomize-image shape changes files on the branch it follows; use the manifest shape`,
      });
      expect(t.shop.refs()).toBe(refs);
    },
  );

  it('refuses a base branch the repository does not have with a 400 that names it', async () => {
    const t = await setup({
      annotation: 'manifest,branch=release-9',
      apps: () => ({ prod: {} }),
    });
    const refs = t.fleet.refs();
    const error = await t
      .propose({ action: 'promote', environment: 'prod' })
      .catch(e => e);
    expect(error.name).toBe('InputError');
    const repo = t.fleet.url.replace(/\.git$/, ''); // as the page names it
    expect(error.message).toBe(
      `${repo} has no branch 'release-9' to propose a change against`,
    );
    expect(t.fleet.refs()).toBe(refs);
  });

  it('denies without the permission, before Git is touched, and audits it', async () => {
    const t = await setup({
      annotation: 'manifest',
      apps: () => ({ prod: {} }),
      allow: false,
    });
    await expect(
      t.propose({ action: 'promote', environment: 'prod' }),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(t.permissions.authorize).toHaveBeenCalledWith(
      [
        expect.objectContaining({
          permission: expect.objectContaining({
            name: 'gitops.application.promote',
          }),
          resourceRef: 'component:default/shop',
        }),
      ],
      expect.anything(),
    );
    expect(t.fleet.refs()).toBe('refs/heads/main');
    expect(t.audit.fail).toHaveBeenCalled();
  });

  it('answers bad input with a clear error', async () => {
    const t = await setup({
      annotation: 'manifest',
      apps: () => ({ prod: {} }),
    });
    await expect(
      t.propose({ action: 'promote', environment: 'qa' }),
    ).rejects.toThrow("has no environment 'qa' (it has staging, prod)");
    await expect(
      t.propose({ action: 'rollback', environment: 'prod' }),
    ).rejects.toThrow('A rollback needs deploymentId');
    await expect(
      t.propose({
        action: 'rollback',
        environment: 'prod',
        deploymentId: '9999',
      }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      t.propose({ action: 'promote', environment: 'staging' }),
    ).rejects.toThrow('staging is first in the promotion order');
  });

  it('leaves nothing when the push is refused', async () => {
    const t = await setup({
      annotation: 'manifest',
      apps: () => ({ prod: {} }),
    });
    const hook = path.join(t.fleet.bare, 'hooks', 'pre-receive');
    fs.writeFileSync(hook, '#!/bin/sh\necho "protected" >&2\nexit 1\n');
    fs.chmodSync(hook, 0o755);
    await expect(
      t.propose({ action: 'promote', environment: 'prod' }),
    ).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
    expect(t.fleet.refs()).toBe('refs/heads/main');
    expect(
      Number((await t.knex('gitops_proposals').count({ n: '*' }))[0].n),
    ).toBe(0);
  });

  describe('hostile repositories and annotations', () => {
    /** A file outside every clone, which nothing may change. */
    const outside = () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'));
      const file = path.join(dir, 'values.yaml');
      fs.writeFileSync(file, values('v0.0.1-outside'));
      return { dir, file, text: fs.readFileSync(file, 'utf8') };
    };
    /** Commits a symbolic link (mode 120000) to the shop repository. */
    const commitLink = (
      t: Awaited<ReturnType<typeof setup>>,
      links: Record<string, string>,
    ) => {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linker-'));
      git(work, 'clone', '--quiet', t.shop.bare, 'w');
      const w = path.join(work, 'w');
      for (const [file, target] of Object.entries(links)) {
        fs.rmSync(path.join(w, file), { recursive: true, force: true });
        fs.mkdirSync(path.dirname(path.join(w, file)), { recursive: true });
        fs.symlinkSync(target, path.join(w, file));
      }
      git(w, 'add', '--all');
      git(w, 'commit', '--quiet', '-m', 'links');
      git(w, 'push', '--quiet', 'origin', 'HEAD:main');
    };

    it.each([
      [
        'a link to a file outside',
        (o: string) => ({ 'deploy/overlays/prod/values.yaml': o }),
      ],
      [
        'a chain of links',
        (o: string) => ({
          'deploy/overlays/prod/values.yaml': 'hop.yaml',
          'deploy/overlays/prod/hop.yaml': o,
        }),
      ],
      [
        'a link to a folder outside',
        (o: string) => ({ 'deploy/overlays/prod': path.dirname(o) }),
      ],
    ])(
      'never writes through %s, in a preview or a proposal',
      async (_name, links) => {
        const o = outside();
        const t = await setup({
          annotation:
            'staging:manifest; prod:helm-values,file=values.yaml,key=image.tag',
          apps: () => ({ prod: {} }),
        });
        await followMain(t);
        commitLink(t, links(o.file));
        const [first] = await t.history();
        const refs = t.shop.refs();
        for (const dryRun of [true, false]) {
          const error = await t
            .propose({
              action: 'rollback',
              environment: 'prod',
              deploymentId: first.id,
              dryRun,
            })
            .catch(e => e);
          expect(error).toMatchObject({ name: 'InputError' });
          expect(error.message).toMatch(/link|does not exist|not a file/);
          expect(fs.readFileSync(o.file, 'utf8')).toBe(o.text);
          expect(fs.readdirSync(o.dir)).toEqual(['values.yaml']);
        }
        expect(t.shop.refs()).toBe(refs);
      },
    );

    it('never reads a manifest through a link out of the fleet repository', async () => {
      const o = outside();
      fs.writeFileSync(
        o.file,
        manifest('shop-prod', 'file:///elsewhere', 'c'.repeat(40)),
      );
      const t = await setup({
        annotation: 'manifest',
        apps: () => ({ prod: {} }),
      });
      // the real manifest replaced by a link to a host file that matches
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linker-'));
      git(work, 'clone', '--quiet', t.fleet.bare, 'w');
      const w = path.join(work, 'w');
      fs.rmSync(path.join(w, 'apps/shop/prod.yaml'));
      fs.symlinkSync(o.file, path.join(w, 'apps/shop/prod.yaml'));
      git(w, 'add', '--all');
      git(w, 'commit', '--quiet', '-m', 'link');
      git(w, 'push', '--quiet', 'origin', 'HEAD:main');
      const before = fs.readFileSync(o.file, 'utf8');
      for (const dryRun of [true, false]) {
        await expect(
          t.propose({ action: 'promote', environment: 'prod', dryRun }),
        ).rejects.toMatchObject({ name: 'InputError' });
      }
      expect(fs.readFileSync(o.file, 'utf8')).toBe(before);
      expect(t.fleet.refs()).toBe('refs/heads/main');
    });

    it('refuses a repository the annotation names but the configuration does not', async () => {
      const t = await setup({
        // another local repository on the backend's disk, and another org
        annotation: 'manifest',
        apps: () => ({ prod: {} }),
      });
      const other = gitRepository('other-team');
      other.commit('init', {
        'apps/shop/prod.yaml': manifest('shop-prod', t.shop.url, t.c1),
      });
      for (const annotation of [
        `manifest,repo=${other.url}`,
        `manifest,repo=file://${t.fleet.bare}/../../${path.basename(
          path.dirname(other.bare),
        )}/other-team.git`,
        'manifest,repo=https://github.com/other-org/fleet',
        'manifest,repo=https://github.com/acme/fleet-of-someone-else',
      ]) {
        const u = await setup({
          annotation,
          apps: () => ({ prod: {} }),
        });
        for (const dryRun of [true, false]) {
          await expect(
            u.propose({ action: 'promote', environment: 'prod', dryRun }),
          ).rejects.toMatchObject({
            name: 'NotAllowedError',
            message: expect.stringContaining(
              'gitops.promotion.allowedRepositories',
            ),
          });
        }
      }
      expect(other.refs()).toBe('refs/heads/main');
      // a source repository not in the allow-list is refused as well
      const v = await setup({
        annotation: 'kustomize-image,image=ghcr.io/acme/shop',
        apps: () => ({ prod: {} }),
        settings: { allowedRepositories: [] },
      });
      await followMain(v);
      await expect(
        v.propose({ action: 'promote', environment: 'prod', dryRun: true }),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
    });

    it('refuses a file larger than the limit before reading it (413), and YAML alias bombs (400)', async () => {
      const t = await setup({
        annotation:
          'staging:manifest; prod:helm-values,file=values.yaml,key=image.tag',
        apps: () => ({ prod: {} }),
      });
      await followMain(t);
      const [first] = await t.history();
      t.shop.commit('big', {
        'deploy/overlays/prod/values.yaml': `${values(
          'v9',
        )}padding: "${'x'.repeat(200 * 1024)}"\n`,
      });
      await expect(
        t.propose({
          action: 'rollback',
          environment: 'prod',
          deploymentId: first.id,
          dryRun: true,
        }),
      ).rejects.toMatchObject({
        statusCode: 413,
        message: expect.stringContaining('gitops.promotion.maxFileBytes'),
      });
      const laughs = [
        'a: &a ["x","x","x","x","x","x","x","x","x"]',
        ...'bcdefghi'
          .split('')
          .map(
            (k, i) =>
              `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`,
          ),
        'image:\n  tag: *i',
      ].join('\n');
      t.shop.commit('bomb', { 'deploy/overlays/prod/values.yaml': laughs });
      await expect(
        t.propose({
          action: 'rollback',
          environment: 'prod',
          deploymentId: first.id,
          dryRun: true,
        }),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining('values.yaml'),
      });
    });
  });

  describe('on GitHub', () => {
    const github = {
      integrations: { github: [{ host: 'github.com', token: 'gh-token' }] },
    };
    let gitConfig: string;
    afterEach(() => {
      delete process.env.GIT_CONFIG_GLOBAL;
    });
    const mirror = (fleetUrl: string) => {
      gitConfig = path.join(os.tmpdir(), `gitconfig-${Date.now()}`);
      fs.writeFileSync(
        gitConfig,
        `[url "${fleetUrl}"]\n\tinsteadOf = https://github.com/acme/fleet.git\n`,
      );
      process.env.GIT_CONFIG_GLOBAL = gitConfig;
    };

    it('opens a pull request, and follows it to its merge', async () => {
      const t = await setup({
        annotation: 'manifest,repo=https://github.com/acme/fleet',
        apps: () => ({ prod: {} }),
        config: github,
      });
      mirror(t.fleet.url);
      const pulls: any[] = [];
      server.use(
        http.post(
          'https://api.github.com/repos/acme/fleet/pulls',
          async ({ request }) => {
            expect(request.headers.get('authorization')).toBe('token gh-token');
            pulls.push(await request.json());
            return HttpResponse.json(
              { number: 12, html_url: 'https://github.com/acme/fleet/pull/12' },
              { status: 201 },
            );
          },
        ),
        http.get('https://api.github.com/repos/acme/fleet/pulls/12', () =>
          HttpResponse.json({
            number: 12,
            state: 'closed',
            merged: true,
            merge_commit_sha: 'f'.repeat(40),
            merged_at: '2026-11-23T10:00:00Z',
          }),
        ),
      );
      const p = await t.propose({ action: 'promote', environment: 'prod' });
      expect(p).toMatchObject({
        mode: 'pull-request',
        url: 'https://github.com/acme/fleet/pull/12',
        pullRequestNumber: 12,
        repoUrl: 'https://github.com/acme/fleet',
      });
      expect(pulls[0]).toMatchObject({
        base: 'main',
        head: p.branch,
        title: expect.stringContaining('Promote shop staging → prod'),
      });
      expect(pulls[0].body).toContain('proposed by user:default/alice');
      expect(t.fleet.refs()).toContain(`refs/heads/${p.branch}`);
      await t.proposer.tracker.track();
      const [stored] = (await t.changes()).proposals;
      expect(stored).toMatchObject({
        status: 'merged',
        mergedSha: 'f'.repeat(40),
      });
    });

    it("shows an open pull request's reviews and checks, each reviewer's latest review counting", async () => {
      const t = await setup({
        annotation: 'manifest,repo=https://github.com/acme/fleet',
        apps: () => ({ prod: {} }),
        config: github,
      });
      mirror(t.fleet.url);
      let commit = '';
      server.use(
        http.post('https://api.github.com/repos/acme/fleet/pulls', () =>
          HttpResponse.json(
            { number: 12, html_url: 'https://github.com/acme/fleet/pull/12' },
            { status: 201 },
          ),
        ),
        http.get('https://api.github.com/repos/acme/fleet/pulls/12', () =>
          HttpResponse.json({ number: 12, state: 'open', merged: false }),
        ),
        // GitHub's list reviews answer: oldest first
        http.get(
          'https://api.github.com/repos/acme/fleet/pulls/12/reviews',
          () =>
            HttpResponse.json([
              { id: 1, user: { login: 'bob' }, state: 'CHANGES_REQUESTED' },
              { id: 2, user: { login: 'carol' }, state: 'APPROVED' },
              { id: 3, user: { login: 'bob' }, state: 'COMMENTED' },
              { id: 4, user: { login: 'bob' }, state: 'APPROVED' },
              { id: 5, user: { login: 'dave' }, state: 'CHANGES_REQUESTED' },
              { id: 6, user: { login: 'erin' }, state: 'APPROVED' },
              { id: 7, user: { login: 'erin' }, state: 'DISMISSED' },
            ]),
        ),
        http.get(
          'https://api.github.com/repos/acme/fleet/commits/:ref/check-runs',
          ({ params }) => {
            commit = String(params.ref);
            return HttpResponse.json({
              total_count: 3,
              check_runs: [
                { id: 1, status: 'completed', conclusion: 'success' },
                { id: 2, status: 'completed', conclusion: 'failure' },
                { id: 3, status: 'in_progress', conclusion: null },
              ],
            });
          },
        ),
      );
      const p = await t.propose({ action: 'promote', environment: 'prod' });
      expect(await t.proposer.tracker.track()).toBe(1);
      const [stored] = (await t.changes()).proposals;
      expect(commit).toBe(p.commitSha);
      expect(stored.status).toBe('open');
      expect(stored.review).toMatchObject({
        approvedBy: ['bob', 'carol'],
        changesRequestedBy: ['dave'],
        checks: { passed: 1, failed: 1, pending: 1 },
      });
      // nothing changed since: nothing written
      expect(await t.proposer.tracker.track()).toBe(0);
    });

    it('deletes the pushed branch when the pull request cannot be opened', async () => {
      const t = await setup({
        annotation: 'manifest,repo=https://github.com/acme/fleet',
        apps: () => ({ prod: {} }),
        config: github,
      });
      mirror(t.fleet.url);
      server.use(
        http.post('https://api.github.com/repos/acme/fleet/pulls', () =>
          HttpResponse.json({ message: 'Validation Failed' }, { status: 422 }),
        ),
      );
      await expect(
        t.propose({ action: 'promote', environment: 'prod' }),
      ).rejects.toMatchObject({ name: 'ServiceUnavailableError' });
      expect(t.fleet.refs()).toBe('refs/heads/main');
      expect(
        Number((await t.knex('gitops_proposals').count({ n: '*' }))[0].n),
      ).toBe(0);
    });
  });
});
