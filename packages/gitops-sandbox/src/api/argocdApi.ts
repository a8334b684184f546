import http from 'node:http';
import type { ArgoSandbox } from '../ArgoSandbox';
import {
  SANDBOX_TOKEN,
  argoError,
  readJson,
  send,
  startJsonStream,
} from './http';

/**
 * The Argo CD REST API of each sandbox instance (`/argocd/<instance>/api/v1/...`):
 * sessions, applications, their stream, revisions, trees, live resources,
 * syncs and ApplicationSets. An instance in `down` answers 503.
 */
export function argocdApi(
  sandbox: ArgoSandbox,
  down: ReadonlySet<string>,
  options: {
    latencyMs?: number;
    failureRate?: number;
    streamDropRate?: number;
  } = {},
) {
  const { streamDropRate } = options;
  const sessions = new Set<string>([SANDBOX_TOKEN]);

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
    startJsonStream(res);
    const sent = new Map<string, string>();
    const emit = (type: string, application: unknown) => {
      if (streamDropRate && type !== 'ADDED' && Math.random() < streamDropRate)
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

  /** The object found, or Argo CD's 404 for the application named. */
  const answer = (res: http.ServerResponse, found: unknown, name: string) => {
    if (found) send(res, 200, found);
    else argoError(res, 404, 5, `applications.argoproj.io "${name}" not found`);
  };

  const serve = async (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
  ) => {
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
      answer(res, found, meta[1]);
      return;
    }
    const tree = /^\/api\/v1\/applications\/([^/]+)\/resource-tree$/.exec(path);
    if (tree && req.method === 'GET') {
      const found = sandbox.tree(
        instance,
        decodeURIComponent(tree[1]),
        appNamespace,
      );
      answer(res, found, tree[1]);
      return;
    }
    const resource = /^\/api\/v1\/applications\/([^/]+)\/resource$/.exec(path);
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
        if (!sandbox.sync(instance, name, body.appNamespace ?? appNamespace)) {
          answer(res, undefined, name);
          return;
        }
      } else if (req.method !== 'GET' || app[2]) {
        argoError(res, 405, 12, 'method not allowed');
        return;
      }
      answer(res, sandbox.application(instance, name, appNamespace), name);
      return;
    }
    argoError(res, 404, 5, `no such path ${path}`);
  };

  return {
    serve,
    /** Sends each open stream what changed since the last tick. */
    tick() {
      for (const check of streams) check();
    },
  };
}
