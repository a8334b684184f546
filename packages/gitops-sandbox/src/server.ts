import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ArgoSandbox } from './ArgoSandbox';
import { INITIAL_PULL_REQUESTS, SandboxPullRequests } from './previews';
import { FluxSandbox } from './FluxSandbox';
import { GitFleet } from './GitFleet';
import { FleetReconciler } from './FleetReconciler';
import { Notifier, NotifierOptions } from './notifier';
import { demoFleet } from './fleet';
import { KubeWatchCache } from './kubeWatch';

/** Knobs of the sandbox. */
export interface SandboxOptions {
  port?: number;
  host?: string;
  /** Extra generated applications, for load. */
  extraApps?: number;
  /**
   * Edge clusters with an Argo CD instance each (`cluster-1`…), every
   * service on every cluster: `clusters: 1000` with 100 applications each is
   * a fleet of 100,000 application instances.
   */
  clusters?: number;
  /** Applications per edge cluster (default 100). */
  appsPerCluster?: number;
  /** Kubernetes clusters with Flux beyond flux-dev and flux-prod. */
  extraClusters?: number;
  /** Number of Argo CD instances the extra apps spread over. */
  instances?: number;
  /** Added to every API response, in ms. */
  latencyMs?: number;
  /** Share (0..1) of API calls answered with 500. */
  failureRate?: number;
  /** Instances that answer 503 to everything. */
  downInstances?: string[];
  /** A new commit lands on a random application this often; 0 = never. */
  commitEverySeconds?: number;
  /** How long a sync takes. */
  syncSeconds?: number;
  /**
   * The Argo CD sandbox's clock (epoch ms; default the real one): a test
   * that steps it decides when each sync stage ends, whatever the machine's
   * load.
   */
  now?: () => number;
  /** Serve real Git repositories under /git (default true). */
  git?: boolean;
  /** Where the sandbox tells what it does (fleet changes); default silent. */
  log?: (message: string) => void;
  /** Send Flux and Argo CD notifications to a gitops backend. */
  notify?: NotifierOptions;
  /**
   * Branches pushed under `gitops/` (proposals from the portal) are merged
   * into main this many seconds after they appear, as a reviewer would;
   * 0 = only by `POST /sandbox/git/merge`. Default 30.
   */
  autoMergeSeconds?: number;
  /**
   * Share (0..1) of application stream events dropped, as Argo CD may drop
   * them under load (it does not replay). Default 0.
   */
  streamDropRate?: number;
}

/** Chart versions the sandbox's Helm repositories offer (newer than deployed). */
const CHART_VERSIONS: Record<string, string[]> = {
  'ingress-nginx': ['4.11.1', '4.11.2', '4.11.3', '4.12.0'],
  'cert-manager': ['v1.15.3', 'v1.16.0', 'v1.16.1', 'v1.17.0'],
  podinfo: ['6.5.4', '6.6.0', '6.6.1', '6.7.0'],
};

/** The repositories of the demo fleet. */
export const SANDBOX_REPOS = [
  'checkout',
  'payments',
  'catalog-api',
  'inventory',
  'checkout-config',
  'storefront',
  'search',
  'recommendations',
  'fleet',
];

/**
 * The storefront service lives in the fleet repository, as most GitOps
 * setups keep it: one Argo CD Application per environment, dev following
 * main, staging and prod pinned to commits that promotions move.
 */
export function storefrontManifests(
  pins: Record<'staging' | 'prod', string>,
): Record<string, string> {
  const manifest = (env: string, revision: string) => `# storefront in ${env}${
    env === 'dev'
      ? ': follows main'
      : ': pinned to a commit; promotions and rollbacks change it'
  }
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: storefront-${env}
  namespace: argocd
  labels:
    app.kubernetes.io/name: storefront
    environment: ${env}
spec:
  project: shop
  source:
    repoURL: http://localhost:7008/git/storefront.git
    path: deploy
    targetRevision: ${revision}
  destination:
    server: ${
      env === 'prod'
        ? 'https://prod.k8s.sandbox'
        : 'https://kubernetes.default.svc'
    }
    namespace: storefront-${env}
  syncPolicy:
    automated:
      selfHeal: true
`;
  return {
    'apps/storefront/dev.yaml': manifest('dev', 'main'),
    'apps/storefront/staging.yaml': manifest('staging', pins.staging),
    'apps/storefront/prod.yaml': manifest('prod', pins.prod),
  };
}

/** The token the demo backend uses; sessions are also available (admin / sandbox). */
export const SANDBOX_TOKEN = 'sandbox-token';
/** The service-account token of the sandbox Kubernetes clusters. */
export const SANDBOX_K8S_TOKEN = 'sandbox-k8s-token';

const FLUX_PLURALS: Record<string, string> = {
  kustomizations: 'Kustomization',
  helmreleases: 'HelmRelease',
  gitrepositories: 'GitRepository',
  ocirepositories: 'OCIRepository',
  helmrepositories: 'HelmRepository',
  buckets: 'Bucket',
  // apps/v1, read for the workloads that Flux inventories name
  deployments: 'Deployment',
};

function k8sStatus(
  res: http.ServerResponse,
  code: number,
  reason: string,
  message: string,
) {
  send(res, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function argoError(
  res: http.ServerResponse,
  status: number,
  code: number,
  message: string,
) {
  send(res, status, { code, error: message, message });
}

async function readJson(req: http.IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

/**
 * Starts the sandbox: the Argo CD REST API of each instance under
 * `/argocd/<instance>`, and `/sandbox/*` controls.
 */
export async function startSandbox(options: SandboxOptions = {}) {
  const git =
    options.git === false ? undefined : new GitFleet({ repos: SANDBOX_REPOS });
  const notifier = options.notify ? new Notifier(options.notify) : undefined;
  const sandbox = new ArgoSandbox(
    demoFleet({
      extraApps: options.extraApps,
      instances: options.instances,
      clusters: options.clusters,
      appsPerCluster: options.appsPerCluster,
    }),
    {
      syncSeconds: options.syncSeconds,
      git,
      onSynced: e => void notifier?.argo(e),
      now: options.now,
    },
  );
  const flux = new FluxSandbox({
    syncSeconds: options.syncSeconds,
    extraClusters: options.extraClusters,
    git,
    onReconciled: e => void notifier?.flux(e),
  });
  const fleet = git
    ? new FleetReconciler({
        git,
        argo: sandbox,
        flux,
        log: options.log,
      })
    : undefined;
  // the storefront's environments, in the fleet repository
  git?.writeFiles(
    'fleet',
    storefrontManifests({
      staging: git.at('storefront', 14),
      prod: git.at('storefront', 11),
    }),
    'Add storefront (dev, staging, prod)',
  );
  // checkout's pull requests, each with a preview (an ApplicationSet with a
  // pull-request generator); only with Git, where a preview's commit is real
  const pullRequests = new SandboxPullRequests(sandbox, () =>
    sandbox.spec('main', 'checkout-dev'),
  );
  if (git)
    INITIAL_PULL_REQUESTS.forEach(pr => pullRequests.openPullRequest(pr));
  /** Every deployment of both engines, in the order they finished. */
  const groundTruth = () =>
    [...sandbox.groundTruth(), ...flux.groundTruth()].sort((a, b) =>
      a.finishedAt.localeCompare(b.finishedAt),
    );
  const sessions = new Set<string>([SANDBOX_TOKEN]);
  const down = new Set(options.downInstances ?? []);

  /**
   * Argo CD's application watch: newline-delimited JSON of
   * `{"result":{"type","application"}}`, an ADDED event per application
   * first, then MODIFIED / DELETED as the sandbox ticks; some events are
   * dropped when `streamDropRate` says so.
   */
  const streams = new Set<() => void>();
  const openStream = (
    instance: string,
    appNamespace: string | undefined,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'no-cache',
    });
    res.flushHeaders();
    const sent = new Map<string, string>();
    const emit = (type: string, application: unknown) => {
      if (
        options.streamDropRate &&
        type !== 'ADDED' &&
        Math.random() < options.streamDropRate
      )
        return;
      res.write(`${JSON.stringify({ result: { type, application } })}\n`);
    };
    const check = (initial: boolean) => {
      if (down.has(instance)) {
        res.destroy();
        return;
      }
      const seen = new Set<string>();
      for (const app of sandbox.list(instance, appNamespace).items as any[]) {
        const key = `${app.metadata.namespace}/${app.metadata.name}`;
        seen.add(key);
        const json = JSON.stringify(app);
        if (sent.get(key) === json) continue;
        const known = sent.has(key);
        sent.set(key, json);
        emit(initial || !known ? 'ADDED' : 'MODIFIED', app);
      }
      for (const [key, json] of sent) {
        if (seen.has(key)) continue;
        sent.delete(key);
        emit('DELETED', JSON.parse(json));
      }
    };
    check(true);
    const watcher = () => check(false);
    streams.add(watcher);
    req.on('close', () => streams.delete(watcher));
    res.on('close', () => streams.delete(watcher));
  };

  /**
   * Kubernetes watches of one kind in one cluster: newline-delimited JSON of
   * `{"type","object"}` — ADDED / MODIFIED / DELETED as the sandbox changes,
   * a BOOKMARK every 10 s, and `410 Gone` for a resourceVersion whose history
   * is compacted (`POST /sandbox/compact-watches`), as the API server does.
   */
  const kubeClock = { rv: 1000 };
  const kubeCaches = new Map<string, KubeWatchCache>();
  const kubeCache = (cluster: string, kind: string) => {
    const key = `${cluster}|${kind}`;
    let cache = kubeCaches.get(key);
    if (!cache) {
      cache = new KubeWatchCache(
        () => flux.list(cluster, kind) as any[],
        kubeClock,
      );
      kubeCaches.set(key, cache);
    }
    return cache;
  };
  const compactWatches = () => {
    for (const cache of kubeCaches.values()) cache.compact();
  };
  const openWatch = (
    cluster: string,
    kind: string,
    namespace: string | undefined,
    query: URLSearchParams,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'cache-control': 'no-cache',
    });
    res.flushHeaders();
    const cache = kubeCache(cluster, kind);
    const watcher = {
      namespace,
      send: (event: unknown) => res.write(`${JSON.stringify(event)}\n`),
      end: () => res.end(),
    };
    const opened = cache.watch(
      query.get('resourceVersion') ?? undefined,
      watcher,
    );
    if (!opened) {
      watcher.send({
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${query.get(
            'resourceVersion',
          )} (${kubeClock.rv})`,
          reason: 'Expired',
          code: 410,
        },
      });
      res.end();
      return;
    }
    const timeout = Number(query.get('timeoutSeconds'));
    const timer =
      timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const close = () => {
      clearTimeout(timer);
      cache.unwatch(watcher);
    };
    req.on('close', close);
    res.on('close', close);
  };

  const serveKubernetes = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    [, cluster, group, version, namespace, plural, name]: RegExpExecArray,
  ) => {
    const kind = FLUX_PLURALS[plural];
    if (options.latencyMs)
      await new Promise(r => setTimeout(r, options.latencyMs));
    if (!flux.clusters().includes(cluster) || down.has(cluster)) {
      // a cluster that is down refuses the connection
      req.socket.destroy();
      return;
    }
    if ((req.headers.authorization ?? '') !== `Bearer ${SANDBOX_K8S_TOKEN}`) {
      k8sStatus(res, 401, 'Unauthorized', 'Unauthorized');
      return;
    }
    if (group === 'apps' && kind === 'Deployment' && req.method === 'GET') {
      const items = flux.deployments(cluster, namespace);
      if (!name) {
        send(res, 200, {
          apiVersion: 'apps/v1',
          kind: 'DeploymentList',
          metadata: { resourceVersion: String(Date.now()) },
          items,
        });
        return;
      }
      const one = items.find(d => d.metadata.name === name);
      if (one) send(res, 200, one);
      else
        k8sStatus(res, 404, 'NotFound', `deployments.apps "${name}" not found`);
      return;
    }
    if (!kind || !group.endsWith('.toolkit.fluxcd.io')) {
      k8sStatus(
        res,
        404,
        'NotFound',
        'the server could not find the requested resource',
      );
      return;
    }
    const query = new URL(req.url ?? '/', 'http://sandbox').searchParams;
    if (
      !name &&
      req.method === 'GET' &&
      ['true', '1'].includes(query.get('watch') ?? '')
    ) {
      openWatch(cluster, kind, namespace, query, req, res);
      return;
    }
    if (!name && req.method === 'GET') {
      const { resourceVersion, items } = kubeCache(cluster, kind).list(
        namespace,
      );
      send(res, 200, {
        apiVersion: `${group}/${version}`,
        kind: `${kind}List`,
        metadata: { resourceVersion },
        items,
      });
      return;
    }
    let found;
    if (name && namespace && req.method === 'PATCH') {
      found = flux.patch(cluster, kind, namespace, name, await readJson(req));
    } else if (name && namespace && req.method === 'GET') {
      found = flux.get(cluster, kind, namespace, name);
    }
    if (!found) {
      k8sStatus(res, 404, 'NotFound', `${plural}.${group} "${name}" not found`);
      return;
    }
    send(res, 200, found);
  };

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://sandbox');
      if (url.pathname === '/health') {
        send(res, 200, { status: 'ok', instances: sandbox.instances() });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/sandbox/push') {
        const body = await readJson(req);
        const pushed = sandbox.push(body);
        send(
          res,
          pushed ? 200 : 409,
          pushed ?? { error: 'no idle Git application matches' },
        );
        return;
      }
      const chartIndex = /^\/charts\/([^/]+)\/index\.yaml$/.exec(url.pathname);
      if (chartIndex) {
        // an HTTP Helm repository with a few versions of each chart
        const chart = chartIndex[1];
        const versions = CHART_VERSIONS[chart];
        if (!versions) {
          send(res, 404, { error: `no chart ${chart}` });
          return;
        }
        res.writeHead(200, { 'content-type': 'application/x-yaml' });
        res.end(
          `apiVersion: v1\nentries:\n  ${chart}:\n${versions
            .map(v => `    - name: ${chart}\n      version: ${v}\n`)
            .join('')}`,
        );
        return;
      }
      const raw = /^\/git\/([^/]+?)(?:\.git)?\/raw\/([^/]+)\/(.+)$/.exec(
        url.pathname,
      );
      if (git && raw && req.method === 'GET') {
        // a file of a repository at a branch or commit, as a Git host's raw view
        const content = git.read(raw[1], raw[2], decodeURIComponent(raw[3]));
        if (!content) {
          send(res, 404, { error: `no ${raw[3]} at ${raw[2]} in ${raw[1]}` });
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(content);
        return;
      }
      if (git && url.pathname === '/sandbox/git/branches') {
        // branches waiting for review, e.g. proposals from the portal
        const repo = url.searchParams.get('repo') ?? 'fleet';
        send(res, 200, { repo, branches: git.branches(repo) });
        return;
      }
      if (
        git &&
        req.method === 'POST' &&
        url.pathname === '/sandbox/git/merge'
      ) {
        // a reviewer merges a proposal (merge commit, branch deleted)
        const body = await readJson(req);
        const repo = String(body.repo ?? 'fleet');
        const branch = String(body.branch ?? '');
        const merged = GitFleet.validName(repo)
          ? git.merge(repo, branch)
          : undefined;
        send(
          res,
          merged ? 200 : 404,
          merged
            ? { repo, branch, mergedSha: merged }
            : { error: `no branch '${branch}' in ${repo}` },
        );
        return;
      }
      if (req.method === 'POST' && url.pathname === '/sandbox/down') {
        // take an Argo CD instance or Flux cluster down, or bring it back
        const body = await readJson(req);
        const name = String(body.instance ?? '');
        if (body.down === false) down.delete(name);
        else {
          down.add(name);
          // its open watches drop with it
          for (const [key, cache] of kubeCaches)
            if (key.startsWith(`${name}|`)) cache.endWatches();
        }
        send(res, 200, { down: [...down].sort() });
        return;
      }
      if (
        req.method === 'POST' &&
        url.pathname === '/sandbox/compact-watches'
      ) {
        // etcd compacts and the API server restarts: open watches end, and
        // re-watching from an old resourceVersion answers 410 Gone
        compactWatches();
        send(res, 200, { resourceVersion: String(kubeClock.rv) });
        return;
      }
      if (req.method === 'GET' && url.pathname === '/sandbox/ground-truth') {
        // every deployment the sandbox's controllers performed, as it happened
        send(res, 200, { items: groundTruth() });
        return;
      }
      if (url.pathname === '/sandbox/pull-requests') {
        if (req.method === 'GET') {
          send(res, 200, { items: pullRequests.list() });
          return;
        }
        if (req.method === 'POST') {
          // opens one (a preview appears) or closes one (its preview goes)
          const body = await readJson(req);
          const number = Number(body.number);
          if (!Number.isSafeInteger(number) || number < 1) {
            send(res, 400, { error: 'number must be a positive integer' });
            return;
          }
          const ok =
            body.state === 'closed'
              ? pullRequests.closePullRequest(number)
              : pullRequests.openPullRequest({
                  number,
                  title: String(body.title ?? `Pull request ${number}`).slice(
                    0,
                    200,
                  ),
                  author: String(body.author ?? 'dana').slice(0, 100),
                });
          send(
            res,
            ok ? 200 : 404,
            ok
              ? { items: pullRequests.list() }
              : { error: 'no such pull request' },
          );
          return;
        }
      }
      if (req.method === 'POST' && url.pathname === '/sandbox/degrade') {
        // the running version turns Degraded (a canary whose analysis
        // fails), until the application's manifest changes
        const body = await readJson(req);
        const ok = sandbox.breakApp(
          String(body.instance ?? ''),
          String(body.name ?? ''),
          String(
            body.message ?? 'canary analysis failed: error rate above 5 %',
          ).slice(0, 500),
        );
        send(res, ok ? 200 : 404, ok ? { ok } : { error: 'no such app' });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/sandbox/fail-next-sync') {
        const body = await readJson(req);
        const ok = sandbox.failNextSync(
          String(body.instance ?? ''),
          String(body.name ?? ''),
          String(body.message ?? 'one or more synchronization tasks failed'),
        );
        send(res, ok ? 200 : 404, ok ? { ok } : { error: 'no such app' });
        return;
      }
      if (req.method === 'GET' && url.pathname === '/sandbox/fleet') {
        send(res, 200, fleet?.reconcile() ?? { errors: ['no Git'] });
        return;
      }
      if (git && url.pathname.startsWith('/git/')) {
        git.serve(
          req,
          res,
          url.pathname.slice('/git'.length),
          url.search.slice(1),
        );
        return;
      }
      if (req.method === 'POST' && url.pathname === '/sandbox/promote') {
        const body = await readJson(req);
        const promoted = sandbox.promote(String(body.name ?? ''));
        send(
          res,
          promoted ? 200 : 409,
          promoted ?? { error: 'nothing to promote' },
        );
        return;
      }
      if (
        req.method === 'POST' &&
        url.pathname === '/sandbox/flux/helm-upgrade'
      ) {
        const upgrade = flux.upgradeHelm(await readJson(req));
        send(
          res,
          upgrade ? 200 : 409,
          upgrade ?? { error: 'no such release, or it is upgrading' },
        );
        return;
      }
      if (req.method === 'POST' && url.pathname === '/sandbox/flux/push') {
        const body = await readJson(req);
        send(res, 200, flux.push(body));
        return;
      }
      const k8s =
        /^\/k8s\/([^/]+)\/apis\/([^/]+)\/([^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(
          url.pathname,
        );
      if (k8s) {
        await serveKubernetes(req, res, k8s);
        return;
      }
      const match = /^\/argocd\/([^/]+)(\/api\/v1\/.*)$/.exec(url.pathname);
      if (!match || !sandbox.instances().includes(match[1])) {
        argoError(res, 404, 5, `no such path ${url.pathname}`);
        return;
      }
      const [, instance, path] = match;
      if (options.latencyMs)
        await new Promise(r => setTimeout(r, options.latencyMs));
      if (down.has(instance)) {
        argoError(
          res,
          503,
          14,
          'upstream connect error or disconnect/reset before headers',
        );
        return;
      }
      if (options.failureRate && Math.random() < options.failureRate) {
        argoError(res, 500, 13, 'rpc error: code = Internal');
        return;
      }
      if (req.method === 'POST' && path === '/api/v1/session') {
        const body = await readJson(req);
        if (body.username !== 'admin' || body.password !== 'sandbox') {
          argoError(res, 401, 16, 'Invalid username or password');
          return;
        }
        const token = `session-${instance}-${sessions.size}`;
        sessions.add(token);
        send(res, 200, { token });
        return;
      }
      const auth = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!sessions.has(auth)) {
        argoError(res, 401, 16, 'invalid session: token signature is invalid');
        return;
      }
      const appNamespace = url.searchParams.get('appNamespace') ?? undefined;
      if (req.method === 'GET' && path === '/api/v1/applicationsets') {
        send(
          res,
          200,
          sandbox.applicationSets(
            instance,
            url.searchParams.get('appsetNamespace') ?? undefined,
          ),
        );
        return;
      }
      if (req.method === 'GET' && path === '/api/v1/stream/applications') {
        openStream(instance, appNamespace, req, res);
        return;
      }
      if (req.method === 'GET' && path === '/api/v1/applications') {
        send(
          res,
          200,
          sandbox.list(instance, appNamespace, {
            selector: url.searchParams.get('selector') ?? undefined,
            names: url.searchParams.getAll('name'),
          }),
        );
        return;
      }
      const meta =
        /^\/api\/v1\/applications\/([^/]+)\/revisions\/([^/]+)\/metadata$/.exec(
          path,
        );
      if (meta && req.method === 'GET') {
        const found = sandbox.revisionMetadata(
          instance,
          decodeURIComponent(meta[1]),
          decodeURIComponent(meta[2]),
          appNamespace,
        );
        if (!found) {
          argoError(
            res,
            404,
            5,
            `applications.argoproj.io "${meta[1]}" not found`,
          );
          return;
        }
        send(res, 200, found);
        return;
      }
      const tree = /^\/api\/v1\/applications\/([^/]+)\/resource-tree$/.exec(
        path,
      );
      if (tree && req.method === 'GET') {
        const found = sandbox.tree(
          instance,
          decodeURIComponent(tree[1]),
          appNamespace,
        );
        if (!found) {
          argoError(
            res,
            404,
            5,
            `applications.argoproj.io "${tree[1]}" not found`,
          );
          return;
        }
        send(res, 200, found);
        return;
      }
      const resource = /^\/api\/v1\/applications\/([^/]+)\/resource$/.exec(
        path,
      );
      if (resource && req.method === 'GET') {
        const q = url.searchParams;
        const found = sandbox.liveResource(
          instance,
          decodeURIComponent(resource[1]),
          appNamespace,
          {
            group: q.get('group') ?? undefined,
            kind: q.get('kind') ?? undefined,
            name: q.get('resourceName') ?? undefined,
          },
        );
        if (!found) {
          argoError(
            res,
            404,
            5,
            `${q.get('kind')} ${q.get(
              'resourceName',
            )} not found as part of application ${resource[1]}`,
          );
          return;
        }
        send(res, 200, found);
        return;
      }
      const app = /^\/api\/v1\/applications\/([^/]+)(\/sync)?$/.exec(path);
      if (app) {
        const name = decodeURIComponent(app[1]);
        if (req.method === 'POST' && app[2]) {
          const body = await readJson(req);
          if (
            !sandbox.sync(instance, name, body.appNamespace ?? appNamespace)
          ) {
            argoError(
              res,
              404,
              5,
              `applications.argoproj.io "${name}" not found`,
            );
            return;
          }
        } else if (req.method !== 'GET' || app[2]) {
          argoError(res, 405, 12, 'method not allowed');
          return;
        }
        const found = sandbox.application(instance, name, appNamespace);
        if (!found) {
          argoError(
            res,
            404,
            5,
            `applications.argoproj.io "${name}" not found`,
          );
          return;
        }
        send(res, 200, found);
        return;
      }
      argoError(res, 404, 5, `no such path ${path}`);
    } catch (error) {
      argoError(res, 400, 3, `bad request: ${(error as Error).message}`);
    }
  });

  await new Promise<void>(resolve =>
    server.listen(options.port ?? 7008, options.host ?? '127.0.0.1', resolve),
  );
  const ticker = setInterval(() => {
    fleet?.reconcile();
    sandbox.tick();
    flux.tick();
    for (const check of streams) check();
    for (const cache of kubeCaches.values()) cache.tick();
  }, 1000);
  const commitEvery = options.commitEverySeconds ?? 15;
  let commits = 0;
  const services = ['checkout', 'payments', 'catalog-api'];
  const committer =
    commitEvery > 0
      ? setInterval(() => {
          // a developer pushes to a service (dev rolls it out), then it is
          // promoted to staging, then to prod; every fourth step is a Flux push
          commits += 1;
          const service = services[Math.floor(commits / 3) % services.length];
          try {
            if (commits % 4 === 0) flux.push({ repo: 'inventory' });
            else if (commits % 3 === 1)
              sandbox.push({ name: `${service}-dev` });
            else if (commits % 3 === 2) sandbox.promote(`${service}-staging`);
            else sandbox.promote(`${service}-prod`);
          } catch (error) {
            // one failed demo step (a repository busy with a user's push)
            // must not stop the sandbox: the next tick carries on
            // eslint-disable-next-line no-console
            console.warn(`[sandbox] demo step skipped: ${error}`);
          }
        }, commitEvery * 1000)
      : undefined;
  // proposals are reviewed and merged after a while, as a team would
  const autoMerge = options.autoMergeSeconds ?? 30;
  const seen = new Map<string, number>();
  const merger =
    git && autoMerge > 0
      ? setInterval(() => {
          for (const repo of SANDBOX_REPOS) {
            for (const branch of git.branches(repo)) {
              if (!branch.startsWith('gitops/')) continue;
              const key = `${repo}/${branch}`;
              const first = seen.get(key) ?? Date.now();
              seen.set(key, first);
              if (Date.now() - first < autoMerge * 1000) continue;
              try {
                git.merge(repo, branch);
                options.log?.(`[sandbox] merged ${branch} into ${repo} main`);
              } catch (error) {
                // eslint-disable-next-line no-console
                console.warn(`[sandbox] could not merge ${key}: ${error}`);
              }
              seen.delete(key);
            }
          }
        }, 2000)
      : undefined;
  const { port } = server.address() as AddressInfo;
  return {
    sandbox,
    flux,
    git,
    fleet,
    port,
    /** Every deployment of Argo CD and Flux the sandbox performed: see `/sandbox/ground-truth`. */
    groundTruth,
    /** checkout's open pull requests and their previews: see `/sandbox/pull-requests`. */
    pullRequests,
    url: `http://127.0.0.1:${port}`,
    /** Compacts the Kubernetes watch history: see `/sandbox/compact-watches`. */
    compactWatches,
    async stop() {
      clearInterval(ticker);
      if (committer) clearInterval(committer);
      if (merger) clearInterval(merger);
      const closed = new Promise(resolve => server.close(resolve));
      // open application streams end with the server
      server.closeAllConnections();
      await closed;
      git?.dispose();
    },
  };
}
