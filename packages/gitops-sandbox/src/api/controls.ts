import http from 'node:http';
import type { ArgoSandbox } from '../ArgoSandbox';
import type { FleetReconciler } from '../FleetReconciler';
import type { FluxSandbox } from '../FluxSandbox';
import { GitFleet } from '../GitFleet';
import type { GroundTruthDeployment } from '../groundTruth';
import type { SandboxPullRequests } from '../previews';
import { readJson, send } from './http';
import type { kubernetesApi } from './kubernetesApi';

/** Chart versions the sandbox's Helm repositories offer (newer than deployed). */
const CHART_VERSIONS: Record<string, string[]> = {
  'ingress-nginx': ['4.11.1', '4.11.2', '4.11.3', '4.12.0'],
  'cert-manager': ['v1.15.3', 'v1.16.0', 'v1.16.1', 'v1.17.0'],
  podinfo: ['6.5.4', '6.6.0', '6.6.1', '6.7.0'],
};

/** What the sandbox's controls act on. */
export interface SandboxParts {
  sandbox: ArgoSandbox;
  flux: FluxSandbox;
  git?: GitFleet;
  fleet?: FleetReconciler;
  pullRequests: SandboxPullRequests;
  groundTruth: () => GroundTruthDeployment[];
  /** Argo CD instances and Flux clusters taken down. */
  down: Set<string>;
  kubernetes: ReturnType<typeof kubernetesApi>;
}

/**
 * The sandbox's own controls (`/sandbox/*`), what a test or a demo uses to
 * make things happen: pushes, merges, promotions, failures, outages,
 * pull requests, the ground truth; the Helm chart index; the Git server
 * (`/git/*`, raw files). Answers whether it served the request.
 */
export async function serveControls(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  parts: SandboxParts,
): Promise<boolean> {
  const { sandbox, flux, git, fleet, pullRequests, groundTruth, down } = parts;
  const { kubernetes } = parts;
  if (req.method === 'POST' && url.pathname === '/sandbox/push') {
    const body = await readJson(req);
    const pushed = sandbox.push(body);
    send(
      res,
      pushed ? 200 : 409,
      pushed ?? { error: 'no idle Git application matches' },
    );
    return true;
  }
  const chartIndex = /^\/charts\/([^/]+)\/index\.yaml$/.exec(url.pathname);
  if (chartIndex) {
    // an HTTP Helm repository with a few versions of each chart
    const chart = chartIndex[1];
    const versions = CHART_VERSIONS[chart];
    if (!versions) {
      send(res, 404, { error: `no chart ${chart}` });
      return true;
    }
    res.writeHead(200, { 'content-type': 'application/x-yaml' });
    res.end(
      `apiVersion: v1\nentries:\n  ${chart}:\n${versions
        .map(v => `    - name: ${chart}\n      version: ${v}\n`)
        .join('')}`,
    );
    return true;
  }
  const raw = /^\/git\/([^/]+?)(?:\.git)?\/raw\/([^/]+)\/(.+)$/.exec(
    url.pathname,
  );
  if (git && raw && req.method === 'GET') {
    // a file of a repository at a branch or commit, as a Git host's raw view
    const content = git.read(raw[1], raw[2], decodeURIComponent(raw[3]));
    if (!content) {
      send(res, 404, { error: `no ${raw[3]} at ${raw[2]} in ${raw[1]}` });
      return true;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(content);
    return true;
  }
  if (git && url.pathname === '/sandbox/git/branches') {
    // branches waiting for review, e.g. proposals from the portal
    const repo = url.searchParams.get('repo') ?? 'fleet';
    send(res, 200, { repo, branches: git.branches(repo) });
    return true;
  }
  if (git && req.method === 'POST' && url.pathname === '/sandbox/git/merge') {
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
    return true;
  }
  if (req.method === 'POST' && url.pathname === '/sandbox/down') {
    // take an Argo CD instance or Flux cluster down, or bring it back
    const body = await readJson(req);
    const name = String(body.instance ?? '');
    if (body.down === false) down.delete(name);
    else {
      down.add(name);
      // its open watches drop with it
      kubernetes.endWatches(name);
    }
    send(res, 200, { down: [...down].sort() });
    return true;
  }
  if (req.method === 'POST' && url.pathname === '/sandbox/compact-watches') {
    // etcd compacts and the API server restarts: open watches end, and
    // re-watching from an old resourceVersion answers 410 Gone
    kubernetes.compact();
    send(res, 200, { resourceVersion: kubernetes.resourceVersion() });
    return true;
  }
  if (req.method === 'GET' && url.pathname === '/sandbox/ground-truth') {
    // every deployment the sandbox's controllers performed, as it happened
    send(res, 200, { items: groundTruth() });
    return true;
  }
  if (url.pathname === '/sandbox/pull-requests') {
    if (req.method === 'GET') {
      send(res, 200, { items: pullRequests.list() });
      return true;
    }
    if (req.method === 'POST') {
      // opens one (a preview appears) or closes one (its preview goes)
      const body = await readJson(req);
      const number = Number(body.number);
      if (!Number.isSafeInteger(number) || number < 1) {
        send(res, 400, { error: 'number must be a positive integer' });
        return true;
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
        ok ? { items: pullRequests.list() } : { error: 'no such pull request' },
      );
      return true;
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
    return true;
  }
  if (req.method === 'POST' && url.pathname === '/sandbox/fail-next-sync') {
    const body = await readJson(req);
    const ok = sandbox.failNextSync(
      String(body.instance ?? ''),
      String(body.name ?? ''),
      String(body.message ?? 'one or more synchronization tasks failed'),
    );
    send(res, ok ? 200 : 404, ok ? { ok } : { error: 'no such app' });
    return true;
  }
  if (req.method === 'GET' && url.pathname === '/sandbox/fleet') {
    send(res, 200, fleet?.reconcile() ?? { errors: ['no Git'] });
    return true;
  }
  if (git && url.pathname.startsWith('/git/')) {
    git.serve(req, res, url.pathname.slice('/git'.length), url.search.slice(1));
    return true;
  }
  if (req.method === 'POST' && url.pathname === '/sandbox/promote') {
    const body = await readJson(req);
    const promoted = sandbox.promote(String(body.name ?? ''));
    send(
      res,
      promoted ? 200 : 409,
      promoted ?? { error: 'nothing to promote' },
    );
    return true;
  }
  if (req.method === 'POST' && url.pathname === '/sandbox/flux/helm-upgrade') {
    const upgrade = flux.upgradeHelm(await readJson(req));
    send(
      res,
      upgrade ? 200 : 409,
      upgrade ?? { error: 'no such release, or it is upgrading' },
    );
    return true;
  }
  if (req.method === 'POST' && url.pathname === '/sandbox/flux/push') {
    const body = await readJson(req);
    send(res, 200, flux.push(body));
    return true;
  }
  return false;
}
