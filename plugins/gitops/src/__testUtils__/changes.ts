import { http, HttpResponse } from 'msw';
import type { SetupServer } from 'msw/node';
import { app, deployments, historyRows } from '../__fixtures__/data';
import { BASE_URL } from './renderWithApis';

const ENTITY = `${BASE_URL}/entities/component/default/checkout`;
export const SHA = 'c'.repeat(40);
/** A proposal as the backend answers it. */
export const proposal = (over: object = {}) => ({
  entityRef: 'component:default/checkout',
  action: 'promote',
  environment: 'prod',
  fromEnvironment: 'staging',
  applicationId: 'argocd:main:argocd:checkout-prod',
  shape: 'manifest',
  mode: 'branch',
  repoUrl: 'http://git.example.com/fleet',
  baseBranch: 'main',
  branch: 'gitops/promote-prod-1',
  value: SHA,
  currentValue: 'a'.repeat(40),
  title: 'Promote checkout staging → prod (ccccccc)',
  files: [
    {
      path: 'apps/checkout/prod.yaml',
      diff: `--- a/apps/checkout/prod.yaml\n+++ b/apps/checkout/prod.yaml\n-    targetRevision: ${'a'.repeat(
        40,
      )}\n+    targetRevision: ${SHA}`,
    },
  ],
  status: 'preview',
  // three commits go out; the backend lists at most a few of them
  commitCount: 3,
  commits: [
    {
      sha: SHA,
      message: 'Raise the checkout timeout\n\nLonger body',
      authorName: 'Alice',
      committedAt: '2026-12-01T10:00:00Z',
      url: `http://git.example.com/fleet/commit/${SHA}`,
    },
    {
      sha: 'b'.repeat(40),
      message: 'Add a retry',
      authorName: 'Bob',
      committedAt: '2026-11-30T10:00:00Z',
    },
  ],
  ...over,
});

/** Serves the checkout entity's deployments, history and changes; returns the POSTed bodies. */
export function serveChanges(
  server: SetupServer,
  options: {
    promote: boolean;
    proposals?: object[];
    /** prod's promote options as the backend answers them, if not the default. */
    prodPromote?: object;
  },
) {
  const posted: any[] = [];
  server.use(
    http.get(`${ENTITY}/deployments`, () =>
      HttpResponse.json(
        deployments([
          app({ name: 'checkout-staging', environment: 'staging' }),
          app({ name: 'checkout-prod', environment: 'prod' }),
        ]),
      ),
    ),
    http.get(`${ENTITY}/history`, () =>
      HttpResponse.json({
        items: historyRows(3).map((r, i) => ({
          ...r,
          environment: 'prod',
          // the newest runs in prod now (the fixture app's revision)
          ...(i === 0
            ? { revisions: ['0123456789abcdef0123456789abcdef01234567'] }
            : {}),
          ...(i === 0
            ? {
                proposal: {
                  id: 'p1',
                  action: 'rollback',
                  createdBy: 'user:default/alice',
                  url: 'http://git.example.com/fleet/compare/x',
                },
              }
            : {}),
          // proposed on a plain Git server: no page for it, only its branch
          ...(i === 1
            ? {
                proposal: {
                  id: 'p0',
                  action: 'promote',
                  createdBy: 'user:default/bob',
                  branch: 'gitops/promote-prod-7',
                },
              }
            : {}),
        })),
      }),
    ),
    http.get(`${ENTITY}/changes`, () =>
      HttpResponse.json({
        environments: [
          {
            environment: 'staging',
            shape: 'manifest',
            promote: { available: false, reason: 'staging is first' },
            rollback: { available: true },
          },
          {
            environment: 'prod',
            shape: 'manifest',
            promote:
              options.prodPromote ??
              (options.promote
                ? { available: true, fromEnvironment: 'staging' }
                : {
                    available: false,
                    fromEnvironment: 'staging',
                    reason: 'prod already runs what staging runs',
                  }),
            rollback: { available: true },
          },
        ],
        proposals: options.proposals ?? [],
      }),
    ),
    http.post(`${ENTITY}/changes`, async ({ request }) => {
      const body = (await request.json()) as any;
      posted.push(body);
      return HttpResponse.json(
        proposal({
          action: body.action,
          status: body.dryRun ? 'preview' : 'open',
          id: body.dryRun ? undefined : 'p2',
        }),
      );
    }),
  );
  return posted;
}
