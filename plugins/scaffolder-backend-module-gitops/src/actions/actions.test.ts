import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { validateFlux as validateCrd } from '@gitops-portal/gitops-contracts';
import yaml from 'js-yaml';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git, gitRepository } from '@gitops-portal/gitops-test-utils';
import { createProposeAction } from './propose';
import { createPublishAction } from './publish';
import { createRenderAction, renderManifests } from './render';

jest.setTimeout(60_000);

const server = setupServer();
registerMswTestHooks(server);

/** A bare fleet repository with one commit on main. */
function fleetRepo() {
  const fleet = gitRepository('fleet');
  fleet.commit('init', { 'README.md': 'fleet\n' });
  return fleet;
}

/** An empty bare repository to publish to. */
function emptyRemote() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pub-'));
  const bare = path.join(root, 'svc.git');
  git(root, 'init', '--bare', '--quiet', bare);
  return bare;
}

const workspace = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ws-'));
const config = new ConfigReader({
  integrations: { github: [{ host: 'github.com', token: 'gh-token' }] },
});

describe('gitops:render', () => {
  it.each([
    ['argocd', false],
    ['flux', false],
    ['argocd', true],
    ['flux', true],
  ] as const)(
    'renders %s manifests (helm: %s) that validate against the CRDs',
    async (engine, helm) => {
      const files = renderManifests({
        name: 'checkout',
        engine,
        repoUrl: 'https://github.com/acme/checkout.git',
        environments: [
          { name: 'dev' },
          { name: 'prod', destinationName: 'prod-cluster', namespace: 'shop' },
        ],
        helmChart: helm
          ? {
              repoUrl: 'https://charts.acme.io',
              chart: 'checkout',
              version: '1.2.3',
            }
          : undefined,
      });
      expect(files.map(f => f.path)).toEqual([
        'dev/checkout.yaml',
        'prod/checkout.yaml',
      ]);
      for (const doc of files.flatMap(f => f.documents))
        expect(validateCrd(doc as any)).toEqual([]);
      const app = files[0].documents.find(
        (d: any) =>
          d.kind === 'Application' ||
          d.kind === 'Kustomization' ||
          d.kind === 'HelmRelease',
      ) as any;
      // labels that make the application match its catalog entity
      expect(app.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'checkout',
        'backstage.io/kubernetes-id': 'checkout',
        environment: 'dev',
      });
    },
  );

  it('renders one ApplicationSet with a list-generator entry per environment', () => {
    const [file] = renderManifests({
      name: 'checkout',
      engine: 'argocd',
      argocdKind: 'ApplicationSet',
      repoUrl: 'https://github.com/acme/checkout.git',
      environments: [
        { name: 'dev' },
        {
          name: 'prod',
          destinationServer: 'https://prod.k8s.acme.io',
          namespace: 'shop',
        },
      ],
    });
    expect(file.path).toBe('checkout-applicationset.yaml');
    const [set] = file.documents as any[];
    expect(validateCrd(set)).toEqual([]);
    expect(set.spec.generators[0].list.elements).toEqual([
      {
        env: 'dev',
        namespace: 'checkout-dev',
        path: 'deploy/overlays/dev',
        cluster: 'https://kubernetes.default.svc',
      },
      {
        env: 'prod',
        namespace: 'shop',
        path: 'deploy/overlays/prod',
        cluster: 'https://prod.k8s.acme.io',
      },
    ]);
    expect(set.spec.template.metadata).toEqual({
      name: 'checkout-{{env}}',
      labels: {
        'app.kubernetes.io/name': 'checkout',
        'backstage.io/kubernetes-id': 'checkout',
        environment: '{{env}}',
      },
    });
    expect(set.spec.template.spec.destination).toEqual({
      server: '{{cluster}}',
      namespace: '{{namespace}}',
    });
    expect(() =>
      renderManifests({
        name: 'checkout',
        engine: 'argocd',
        argocdKind: 'ApplicationSet',
        repoUrl: 'https://github.com/acme/checkout.git',
        environments: [
          { name: 'dev' },
          { name: 'prod', destinationName: 'prod' },
        ],
      }),
    ).toThrow(/all with destinationName or none/);
  });

  it('writes the files into the workspace', async () => {
    const ctx = createMockActionContext({
      workspacePath: workspace(),
      input: {
        name: 'web',
        engine: 'argocd',
        repoUrl: 'https://github.com/acme/web.git',
        environments: [{ name: 'dev' }],
      },
    });
    await createRenderAction().handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('files', ['dev/web.yaml']);
    const doc = yaml.load(
      fs.readFileSync(
        path.join(ctx.workspacePath, 'fleet/dev/web.yaml'),
        'utf8',
      ),
    ) as any;
    expect(doc.spec.source).toEqual({
      repoURL: 'https://github.com/acme/web.git',
      path: 'deploy/overlays/dev',
      targetRevision: 'main',
    });
  });

  it('takes environments as plain names, as template checkboxes give them', async () => {
    const ctx = createMockActionContext({
      workspacePath: workspace(),
      input: {
        name: 'web',
        engine: 'flux',
        repoUrl: 'https://github.com/acme/web.git',
        environments: ['dev', 'prod'],
      } as any,
    });
    await createRenderAction().handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('files', [
      'dev/web.yaml',
      'prod/web.yaml',
    ]);
  });

  it('refuses to write outside the workspace', async () => {
    const ctx = createMockActionContext({
      workspacePath: workspace(),
      input: {
        name: 'web',
        engine: 'argocd',
        repoUrl: 'https://github.com/acme/web.git',
        environments: [{ name: 'dev' }],
        outputDir: '../escape',
      },
    });
    await expect(createRenderAction().handler(ctx as any)).rejects.toThrow(
      /outside the workspace/,
    );
  });
});

describe('gitops:propose with real repositories', () => {
  async function rendered() {
    const ws = workspace();
    const ctx = createMockActionContext({
      workspacePath: ws,
      input: {
        name: 'web',
        engine: 'flux',
        repoUrl: 'https://github.com/acme/web.git',
        environments: [{ name: 'dev' }, { name: 'prod' }],
      },
    });
    await createRenderAction().handler(ctx as any);
    return ws;
  }

  it('commits on a branch and pushes it', async () => {
    const fleet = fleetRepo();
    const ctx = createMockActionContext({
      workspacePath: await rendered(),
      input: {
        repoUrl: fleet.url,
        targetDir: 'apps/web',
        mode: 'branch',
        branch: 'add-web',
        commitMessage: 'Deploy web',
      },
    });
    await createProposeAction({ config }).handler(ctx as any);
    expect(fleet.refs()).toContain('refs/heads/add-web');
    expect(git(fleet.bare, 'log', '-1', '--format=%s', 'add-web')).toBe(
      'Deploy web',
    );
    expect(
      git(fleet.bare, 'ls-tree', '-r', '--name-only', 'add-web').split('\n'),
    ).toEqual(['README.md', 'apps/web/dev/web.yaml', 'apps/web/prod/web.yaml']);
    expect(ctx.output).toHaveBeenCalledWith('files', [
      'apps/web/dev/web.yaml',
      'apps/web/prod/web.yaml',
    ]);
    expect(ctx.output).toHaveBeenCalledWith(
      'commit',
      git(fleet.bare, 'rev-parse', 'add-web'),
    );
  });

  it('commits directly where the template says so', async () => {
    const fleet = fleetRepo();
    const ctx = createMockActionContext({
      workspacePath: await rendered(),
      input: { repoUrl: fleet.url, mode: 'direct' },
    });
    await createProposeAction({ config }).handler(ctx as any);
    expect(git(fleet.bare, 'ls-tree', '-r', '--name-only', 'main')).toContain(
      'dev/web.yaml',
    );
  });

  it('changes nothing in a dry run', async () => {
    const fleet = fleetRepo();
    const before = git(fleet.bare, 'for-each-ref');
    // the test utils do not carry isDryRun: set it as the scaffolder does
    const ctx = {
      ...createMockActionContext({
        workspacePath: await rendered(),
        input: { repoUrl: fleet.url, mode: 'branch', branch: 'dry' },
      }),
      isDryRun: true,
    };
    await createProposeAction({ config }).handler(ctx as any);
    expect(git(fleet.bare, 'for-each-ref')).toBe(before);
    expect(ctx.output).toHaveBeenCalledWith('branch', 'dry');
  });

  it.each([
    [{ mode: 'pull-request' }, /Pull requests are supported on GitHub/],
    [
      { mode: 'branch', sourceDir: 'missing' },
      /does not exist in the workspace/,
    ],
    [{ mode: 'branch', targetDir: '../../etc' }, /outside the repository/],
    [
      { mode: 'branch', baseBranch: 'release-9' },
      /has no branch 'release-9' to propose a change against/,
    ],
  ])('refuses bad input %j and pushes nothing', async (extra, message) => {
    const fleet = fleetRepo();
    const before = git(fleet.bare, 'for-each-ref');
    const ctx = createMockActionContext({
      workspacePath: await rendered(),
      input: { repoUrl: fleet.url, ...extra },
    });
    await expect(
      createProposeAction({ config }).handler(ctx as any),
    ).rejects.toThrow(message);
    expect(git(fleet.bare, 'for-each-ref')).toBe(before);
  });

  it('opens a GitHub pull request after pushing the branch', async () => {
    const fleet = fleetRepo();
    // GitHub-hosted fleet, cloned from a local mirror: the push goes to the bare repo
    const pulls: any[] = [];
    server.use(
      http.post(
        'https://api.github.com/repos/acme/fleet/pulls',
        async ({ request }) => {
          expect(request.headers.get('authorization')).toBe('token gh-token');
          const body = (await request.json()) as any;
          pulls.push(body);
          return HttpResponse.json(
            {
              number: 42,
              html_url: 'https://github.com/acme/fleet/pull/42',
              state: 'open',
              head: { ref: body.head },
              base: { ref: body.base },
            },
            { status: 201 },
          );
        },
      ),
    );
    const gitConfig = path.join(os.tmpdir(), `gitconfig-${Date.now()}`);
    fs.writeFileSync(
      gitConfig,
      `[url "${fleet.url}"]\n\tinsteadOf = https://github.com/acme/fleet.git\n`,
    );
    process.env.GIT_CONFIG_GLOBAL = gitConfig;
    try {
      const ctx = createMockActionContext({
        workspacePath: await rendered(),
        input: {
          repoUrl: 'https://github.com/acme/fleet',
          branch: 'deploy-web',
          title: 'Deploy web',
          description: 'From Backstage',
        },
      });
      await createProposeAction({ config }).handler(ctx as any);
      expect(pulls).toEqual(
        [
          {
            owner: undefined,
            head: 'deploy-web',
            base: 'main',
            title: 'Deploy web',
            body: 'From Backstage',
          },
        ].map(({ owner, ...p }) => p),
      );
      expect(ctx.output).toHaveBeenCalledWith(
        'pullRequestUrl',
        'https://github.com/acme/fleet/pull/42',
      );
      expect(fleet.refs()).toContain('refs/heads/deploy-web');
    } finally {
      delete process.env.GIT_CONFIG_GLOBAL;
    }
  });
});

describe('gitops:publish:git', () => {
  it('publishes a workspace to an empty remote', async () => {
    const bare = emptyRemote();
    const ws = workspace();
    fs.writeFileSync(path.join(ws, 'index.ts'), 'export {};\n');
    const ctx = createMockActionContext({
      workspacePath: ws,
      input: { repoUrl: `file://${bare}` },
    });
    await createPublishAction({ config }).handler(ctx as any);
    expect(git(bare, 'ls-tree', '--name-only', 'main')).toBe('index.ts');
    // no catalog descriptor, nothing to register
    expect(ctx.output).not.toHaveBeenCalledWith(
      'catalogInfoUrl',
      expect.anything(),
    );
  });

  it('says where the published catalog descriptor is, for catalog:register', async () => {
    const bare = emptyRemote();
    const ws = workspace();
    fs.writeFileSync(path.join(ws, 'catalog-info.yaml'), 'kind: Component\n');
    const ctx = createMockActionContext({
      workspacePath: ws,
      input: { repoUrl: `file://${bare}` },
    });
    await createPublishAction({ config }).handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith(
      'catalogInfoUrl',
      `file://${bare.replace(/\.git$/, '')}/raw/main/catalog-info.yaml`,
    );
    const gh = createMockActionContext({
      workspacePath: ws,
      input: { repoUrl: 'https://github.com/acme/svc.git' },
    });
    (gh as any).isDryRun = true;
    await createPublishAction({ config }).handler(gh as any);
    expect(gh.output).toHaveBeenCalledWith(
      'catalogInfoUrl',
      'https://github.com/acme/svc/blob/main/catalog-info.yaml',
    );
  });
});
