import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import { promisify } from 'node:util';
import { startSandbox, SANDBOX_K8S_TOKEN, SANDBOX_TOKEN } from './server';
import { validateArgo, validateFlux } from '@gitops-portal/gitops-contracts';

const exec = promisify(execFile);
jest.setTimeout(60_000);

const gitEnv = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Dana Dev',
  GIT_AUTHOR_EMAIL: 'dana@example.com',
  GIT_COMMITTER_NAME: 'Dana Dev',
  GIT_COMMITTER_EMAIL: 'dana@example.com',
};
const git = async (cwd: string, ...args: string[]) =>
  (await exec('git', args, { cwd, env: gitEnv })).stdout.trim();

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last;
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const application = (env: string, repoURL: string, extra = '') => `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: shop-api-${env}
  namespace: argocd
  labels:
    app.kubernetes.io/name: shop-api
    environment: ${env}
${extra}spec:
  project: default
  source:
    repoURL: ${repoURL}
    path: deploy/overlays/${env}
    targetRevision: main
  destination:
    server: https://kubernetes.default.svc
    namespace: shop-api-${env}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
`;

describe('sandbox fleet repository', () => {
  let sb: Awaited<ReturnType<typeof startSandbox>>;
  let svc: string;
  let fleet: string;
  let serviceUrl: string;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, commitEverySeconds: 0, syncSeconds: 1 });
    serviceUrl = `${sb.url}/git/shop-api.git`;
    svc = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'sandbox-svc-'));
    fleet = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'sandbox-fleet-'));
  });
  afterAll(async () => {
    await sb.stop();
    fs.rmSync(svc, { recursive: true, force: true });
    fs.rmSync(fleet, { recursive: true, force: true });
  });

  const argoApp = async (instance: string, name: string) => {
    // polled: a connection dropped by a busy machine means "not yet"
    const res = await fetch(
      `${sb.url}/argocd/${instance}/api/v1/applications/${name}`,
      { headers: { authorization: `Bearer ${SANDBOX_TOKEN}` } },
    ).catch(() => undefined);
    return res?.status === 200 ? res.json() : undefined;
  };

  it('creates a repository on first push and serves its files raw', async () => {
    await git(svc, 'init', '--quiet', '-b', 'main');
    fs.mkdirSync(nodePath.join(svc, 'deploy/overlays/dev'), {
      recursive: true,
    });
    fs.writeFileSync(
      nodePath.join(svc, 'catalog-info.yaml'),
      'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: shop-api\n',
    );
    fs.writeFileSync(
      nodePath.join(svc, 'deploy/overlays/dev/kustomization.yaml'),
      'resources: []\n',
    );
    await git(svc, 'add', '.');
    await git(svc, 'commit', '--quiet', '-m', 'Create shop-api');
    expect(sb.git!.exists('shop-api')).toBe(false);
    await git(svc, 'push', '--quiet', serviceUrl, 'main');
    expect(sb.git!.head('shop-api')).toBe(await git(svc, 'rev-parse', 'HEAD'));

    const raw = await fetch(
      `${sb.url}/git/shop-api/raw/main/catalog-info.yaml`,
    );
    expect(raw.status).toBe(200);
    expect(await raw.text()).toContain('name: shop-api');
    expect(
      (await fetch(`${sb.url}/git/shop-api/raw/main/nope.yaml`)).status,
    ).toBe(404);
    // names that are not repository names are refused
    const bad = await exec('git', ['ls-remote', `${sb.url}/git/..%2Fx.git`], {
      env: gitEnv,
    }).catch(e => e);
    expect(bad.code).toBeGreaterThan(0);
  });

  it('turns Applications, an ApplicationSet and Flux objects committed to the fleet into running applications', async () => {
    await git(fleet, 'clone', '--quiet', `${sb.url}/git/fleet.git`, '.');
    const dir = nodePath.join(fleet, 'apps/shop-api');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      nodePath.join(dir, 'dev.yaml'),
      application('dev', serviceUrl),
    );
    fs.writeFileSync(
      nodePath.join(dir, 'prod.yaml'),
      application(
        'prod',
        serviceUrl,
        '  annotations:\n    sandbox.gitops-portal.io/fails-with: "CrashLoopBackOff"\n',
      ),
    );
    fs.writeFileSync(
      nodePath.join(dir, 'flux.yaml'),
      `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: { name: shop-api, namespace: flux-system }
spec: { interval: 1m, url: '${serviceUrl}', ref: { branch: main } }
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: shop-api-dev
  namespace: flux-system
  labels: { backstage.io/kubernetes-id: shop-api, environment: dev }
spec:
  interval: 5m
  path: ./deploy/overlays/dev
  prune: true
  sourceRef: { kind: GitRepository, name: shop-api }
  targetNamespace: shop-api-dev
`,
    );
    fs.writeFileSync(
      nodePath.join(fleet, 'apps/previews.yaml'),
      `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: previews, namespace: argocd }
spec:
  generators:
    - list:
        elements:
          - { branch: feature-a }
          - { branch: feature-b }
  template:
    metadata:
      name: 'shop-api-{{branch}}'
      labels: { app.kubernetes.io/name: shop-api, environment: dev }
    spec:
      project: default
      source: { repoURL: '${serviceUrl}', path: deploy/overlays/dev, targetRevision: main }
      destination: { server: https://kubernetes.default.svc, namespace: 'shop-api-{{branch}}' }
`,
    );
    fs.writeFileSync(
      nodePath.join(fleet, 'apps/broken.yaml'),
      `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: broken, namespace: argocd }
spec:
  project: default
  sourcez: { repoURL: '${serviceUrl}' }
  destination: { server: https://kubernetes.default.svc }
`,
    );
    await git(fleet, 'add', '.');
    await git(fleet, 'commit', '--quiet', '-m', 'Deploy shop-api');
    await git(fleet, 'push', '--quiet', 'origin', 'main');
    const head = await git(svc, 'rev-parse', 'HEAD');

    // Argo CD: out of sync first, then synced and healthy at the repo's head
    const dev = await until('shop-api-dev synced', async () => {
      const app = await argoApp('main', 'shop-api-dev');
      return app?.status.sync.status === 'Synced' ? app : undefined;
    });
    expect(validateArgo('v1alpha1Application', dev)).toEqual([]);
    expect(dev.status.health.status).toBe('Healthy');
    expect(dev.status.sync.revision).toBe(head);
    expect(dev.status.history.map((h: any) => h.revision)).toEqual([head]);

    // prod goes to the prod instance, and the manifest makes it fail
    const prod = await until('shop-api-prod synced', async () => {
      const app = await argoApp('prod', 'shop-api-prod');
      return app?.status.sync.status === 'Synced' ? app : undefined;
    });
    expect(prod.status.health.status).toBe('Degraded');

    // the ApplicationSet's list generator makes one app per element
    const preview = await until('preview app', () =>
      argoApp('main', 'shop-api-feature-b'),
    );
    expect(validateArgo('v1alpha1Application', preview)).toEqual([]);
    expect(preview.metadata.ownerReferences[0]).toMatchObject({
      kind: 'ApplicationSet',
      name: 'previews',
    });
    expect(preview.spec.destination.namespace).toBe('shop-api-feature-b');

    // Flux: the Kustomization applies the GitRepository's revision
    const kustomization = await until('Kustomization ready', async () => {
      const res = await fetch(
        `${sb.url}/k8s/flux-dev/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/shop-api-dev`,
        { headers: { authorization: `Bearer ${SANDBOX_K8S_TOKEN}` } },
      );
      const obj = res.status === 200 ? await res.json() : undefined;
      return obj?.status.lastAppliedRevision ? obj : undefined;
    });
    expect(validateFlux(kustomization)).toEqual([]);
    expect(kustomization.status.lastAppliedRevision).toBe(`main@sha1:${head}`);
    expect(kustomization.status.conditions[0]).toMatchObject({
      type: 'Ready',
      status: 'True',
    });
    const source = sb.flux.get(
      'flux-dev',
      'GitRepository',
      'flux-system',
      'shop-api',
    );
    expect(validateFlux(source!)).toEqual([]);

    // a document that does not match its CRD is reported, not applied
    const status = await (await fetch(`${sb.url}/sandbox/fleet`)).json();
    expect(status.errors.join('\n')).toMatch(
      /broken\.yaml: Application broken: does not match its CRD/,
    );
    expect(await argoApp('main', 'broken')).toBeUndefined();
    expect(status.applications).toEqual(
      expect.arrayContaining([
        'main/argocd/shop-api-dev',
        'prod/argocd/shop-api-prod',
      ]),
    );
  });

  it('rolls out a commit pushed to the service repository, and prunes what leaves the fleet', async () => {
    fs.writeFileSync(nodePath.join(svc, 'README.md'), '# shop-api\n');
    await git(svc, 'add', '.');
    await git(svc, 'commit', '--quiet', '-m', 'docs: readme');
    await git(svc, 'push', '--quiet', serviceUrl, 'main');
    const head = await git(svc, 'rev-parse', 'HEAD');
    const dev = await until('new commit synced', async () => {
      const app = await argoApp('main', 'shop-api-dev');
      return app?.status.sync.status === 'Synced' &&
        app.status.sync.revision === head
        ? app
        : undefined;
    });
    expect(dev.status.history).toHaveLength(2);
    await until(
      'Flux follows the branch',
      () =>
        sb.flux.get('flux-dev', 'Kustomization', 'flux-system', 'shop-api-dev')
          ?.status.lastAppliedRevision === `main@sha1:${head}` || undefined,
    );

    await git(
      fleet,
      'rm',
      '--quiet',
      'apps/shop-api/prod.yaml',
      'apps/shop-api/flux.yaml',
    );
    await git(fleet, 'commit', '--quiet', '-m', 'Undeploy shop-api from prod');
    await git(fleet, 'push', '--quiet', 'origin', 'main');
    await until('prod pruned', async () =>
      (await argoApp('prod', 'shop-api-prod')) === undefined ? true : undefined,
    );
    expect(
      sb.flux.get('flux-dev', 'Kustomization', 'flux-system', 'shop-api-dev'),
    ).toBeUndefined();
    expect(await argoApp('main', 'shop-api-dev')).toBeDefined();
  });
});
