import http from 'node:http';
import type { FluxSandbox } from '../FluxSandbox';
import { KubeWatchCache } from '../kubeWatch';
import {
  SANDBOX_K8S_TOKEN,
  k8sStatus,
  readJson,
  send,
  startJsonStream,
} from './http';

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

/**
 * The Kubernetes API of the sandbox's Flux clusters (`/k8s/<cluster>/apis/...`):
 * lists, gets, merge patches and watches of Flux objects, and the
 * Deployments they applied. A cluster in `down` refuses connections.
 */
export function kubernetesApi(
  flux: FluxSandbox,
  down: ReadonlySet<string>,
  latencyMs?: number,
) {
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
    startJsonStream(res);
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
    if (latencyMs) await new Promise(r => setTimeout(r, latencyMs));
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

  return {
    /** Serves a path matched as `/k8s/<cluster>/apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>]`. */
    serve: serveKubernetes,
    compact: compactWatches,
    /** The Kubernetes resourceVersion now. */
    resourceVersion: () => String(kubeClock.rv),
    /** Ends the open watches of a cluster (it went down). */
    endWatches(cluster: string) {
      for (const [key, cache] of kubeCaches)
        if (key.startsWith(`${cluster}|`)) cache.endWatches();
    },
    /** Sends watchers what changed since the last tick. */
    tick() {
      for (const cache of kubeCaches.values()) cache.tick();
    },
  };
}
