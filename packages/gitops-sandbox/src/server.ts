import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ArgoSandbox } from './ArgoSandbox';
import { INITIAL_PULL_REQUESTS, SandboxPullRequests } from './previews';
import { FluxSandbox } from './FluxSandbox';
import { GitFleet } from './GitFleet';
import { FleetReconciler } from './FleetReconciler';
import { Notifier, NotifierOptions } from './notifier';
import { demoFleet } from './fleet';
import { argocdApi } from './api/argocdApi';
import { serveControls } from './api/controls';
import { argoError, send } from './api/http';
import { kubernetesApi } from './api/kubernetesApi';

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

export { SANDBOX_K8S_TOKEN, SANDBOX_TOKEN } from './api/http';

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
  const down = new Set(options.downInstances ?? []);
  const argocd = argocdApi(sandbox, down, options);
  const kubernetes = kubernetesApi(flux, down, options.latencyMs);
  const parts = {
    sandbox,
    flux,
    git,
    fleet,
    pullRequests,
    groundTruth,
    down,
    kubernetes,
  };

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://sandbox');
      if (url.pathname === '/health') {
        send(res, 200, { status: 'ok', instances: sandbox.instances() });
        return;
      }
      if (await serveControls(req, res, url, parts)) return;
      const k8s =
        /^\/k8s\/([^/]+)\/apis\/([^/]+)\/([^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(
          url.pathname,
        );
      if (k8s) {
        await kubernetes.serve(req, res, k8s);
        return;
      }
      await argocd.serve(req, res, url);
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
    argocd.tick();
    kubernetes.tick();
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
    compactWatches: kubernetes.compact,
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
