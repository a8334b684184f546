import { http, HttpResponse, delay } from 'msw';
import { ArgoApplication } from '../providers/argocd/types';
import { validateArgo, validateRollout } from '@gitops-portal/gitops-contracts';

function checked(definition: string, body: unknown) {
  const errors = validateArgo(definition, body);
  if (errors.length) {
    throw new Error(
      `Mock Argo CD response does not match ${definition}:\n${errors.join(
        '\n',
      )}`,
    );
  }
  return HttpResponse.json(body as any);
}

/** State of one fake Argo CD instance served through msw. */
export interface FakeArgo {
  url: string;
  apps: ArgoApplication[];
  /** Bearer tokens accepted; a login issues `session-<n>`. */
  tokens: Set<string>;
  users?: Record<string, string>;
  /** Answer every API call with this status instead. */
  failWith?: number;
  /** Delay before answering, in ms. */
  latencyMs?: number;
  requests: { method: string; path: string; search: string; auth?: string }[];
  logins: number;
  /** Resource trees by application name. */
  trees?: Record<string, unknown>;
  /** Live objects of managed resources (e.g. Rollouts) by application name. */
  liveObjects?: Record<string, LiveObject[]>;
  /** ApplicationSets; a number answers the list with that status instead. */
  applicationSets?: unknown[] | number;
}

/** A live Kubernetes object as Argo CD's resource endpoint returns it. */
export interface LiveObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

export function fakeArgo(
  url: string,
  options: Partial<Omit<FakeArgo, 'url' | 'requests' | 'logins'>> = {},
): FakeArgo {
  return {
    url,
    apps: options.apps ?? [],
    tokens: options.tokens ?? new Set(['argo-token']),
    users: options.users,
    failWith: options.failWith,
    latencyMs: options.latencyMs,
    trees: options.trees,
    liveObjects: options.liveObjects,
    applicationSets: options.applicationSets,
    requests: [],
    logins: 0,
  };
}

/** msw handlers that answer like Argo CD's REST API, checked against swagger.json. */
export function argoHandlers(argo: FakeArgo) {
  const guard = async (request: Request) => {
    const u = new URL(request.url);
    argo.requests.push({
      method: request.method,
      path: u.pathname,
      search: u.search,
      auth: request.headers.get('authorization') ?? undefined,
    });
    if (argo.latencyMs) await delay(argo.latencyMs);
    if (argo.failWith) {
      const body = {
        code: 13,
        error: 'internal error',
        message: 'internal error',
      };
      checked('runtimeError', body);
      return HttpResponse.json(body, { status: argo.failWith });
    }
    const auth = request.headers.get('authorization') ?? '';
    if (!argo.tokens.has(auth.replace(/^Bearer /, ''))) {
      return HttpResponse.json(
        {
          code: 16,
          error: 'invalid session',
          message: 'invalid session: token is expired',
        },
        { status: 401 },
      );
    }
    return undefined;
  };
  const find = (request: Request, name: string) => {
    const ns = new URL(request.url).searchParams.get('appNamespace');
    return argo.apps.find(
      a => a.metadata?.name === name && (!ns || a.metadata?.namespace === ns),
    );
  };
  return [
    http.post(`${argo.url}/api/v1/session`, async ({ request }) => {
      const body = (await request.json()) as {
        username?: string;
        password?: string;
      };
      if (!argo.users || argo.users[body.username ?? ''] !== body.password) {
        return HttpResponse.json(
          {
            code: 16,
            error: 'Invalid username or password',
            message: 'Invalid username or password',
          },
          { status: 401 },
        );
      }
      argo.logins += 1;
      const token = `session-${argo.logins}`;
      argo.tokens.add(token);
      return checked('sessionSessionResponse', { token });
    }),
    http.get(`${argo.url}/api/v1/applicationsets`, async ({ request }) => {
      const denied = await guard(request);
      if (denied) return denied;
      if (typeof argo.applicationSets === 'number') {
        return HttpResponse.json(
          {
            code: 7,
            error: 'permission denied',
            message: 'permission denied: applicationsets, get',
          },
          { status: argo.applicationSets },
        );
      }
      return checked('v1alpha1ApplicationSetList', {
        metadata: {},
        items: argo.applicationSets ?? [],
      });
    }),
    http.get(`${argo.url}/api/v1/applications`, async ({ request }) => {
      const denied = await guard(request);
      if (denied) return denied;
      const ns = new URL(request.url).searchParams.get('appNamespace');
      return checked('v1alpha1ApplicationList', {
        metadata: { resourceVersion: '12345' },
        items: argo.apps.filter(a => !ns || a.metadata?.namespace === ns),
      });
    }),
    http.get(
      `${argo.url}/api/v1/applications/:name/resource-tree`,
      async ({ request, params }) => {
        const denied = await guard(request);
        if (denied) return denied;
        const tree = argo.trees?.[params.name as string];
        if (!tree || !find(request, params.name as string)) {
          return HttpResponse.json(
            {
              code: 5,
              error: 'not found',
              message: `applications.argoproj.io "${params.name}" not found`,
            },
            { status: 404 },
          );
        }
        return checked('v1alpha1ApplicationTree', tree);
      },
    ),
    http.get(
      `${argo.url}/api/v1/applications/:name/resource`,
      async ({ request, params }) => {
        const denied = await guard(request);
        if (denied) return denied;
        const q = new URL(request.url).searchParams;
        const object = find(request, params.name as string)
          ? argo.liveObjects?.[params.name as string]?.find(
              o =>
                o.kind === q.get('kind') &&
                o.apiVersion.split('/')[0] === (q.get('group') || 'v1') &&
                o.metadata.name === q.get('resourceName') &&
                (o.metadata.namespace ?? '') === (q.get('namespace') ?? ''),
            )
          : undefined;
        if (!object) {
          return HttpResponse.json(
            {
              code: 5,
              error: 'not found',
              message: `${q.get('kind')} ${q.get('resourceName')} not found`,
            },
            { status: 404 },
          );
        }
        if (object.kind === 'Rollout') {
          const errors = validateRollout(object);
          if (errors.length) {
            throw new Error(`Mock Rollout is not valid: ${errors.join('\n')}`);
          }
        }
        return checked('applicationApplicationResourceResponse', {
          manifest: JSON.stringify(object),
        });
      },
    ),
    http.get(
      `${argo.url}/api/v1/applications/:name`,
      async ({ request, params }) => {
        const denied = await guard(request);
        if (denied) return denied;
        const app = find(request, params.name as string);
        if (!app) {
          return HttpResponse.json(
            {
              code: 5,
              error: 'not found',
              message: `applications.argoproj.io "${params.name}" not found`,
            },
            { status: 404 },
          );
        }
        return checked('v1alpha1Application', app);
      },
    ),
    http.post(
      `${argo.url}/api/v1/applications/:name/sync`,
      async ({ request, params }) => {
        const denied = await guard(request);
        if (denied) return denied;
        const body = await request.json();
        const errors = validateArgo('applicationApplicationSyncRequest', body);
        if (errors.length)
          throw new Error(`Bad sync request: ${errors.join(', ')}`);
        const app = find(request, params.name as string);
        if (!app) {
          return HttpResponse.json(
            { code: 5, error: 'not found', message: 'not found' },
            { status: 404 },
          );
        }
        return checked('v1alpha1Application', app);
      },
    ),
  ];
}
