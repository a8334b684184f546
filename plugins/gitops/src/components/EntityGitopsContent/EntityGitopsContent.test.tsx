import { registerStrictMswHooks } from '@gitops-portal/gitops-test-utils/src/msw';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { emptyAnswers } from '../../__testUtils__/emptyAnswers';
import {
  app,
  bareEntity,
  deployments,
  entity,
  historyRows,
} from '../../__fixtures__/data';
import { BASE_URL, renderWithApis } from '../../__testUtils__/renderWithApis';
import { EntityGitopsContent } from './EntityGitopsContent';

const server = setupServer(...emptyAnswers);
registerStrictMswHooks(server);

const ENTITY = `${BASE_URL}/entities/component/default/checkout`;

function serve(
  apps: ReturnType<typeof app>[],
  history = historyRows(3),
  entityPath = ENTITY,
) {
  const requests: string[] = [];
  server.use(
    http.get(`${entityPath}/deployments`, () =>
      HttpResponse.json(deployments(apps)),
    ),
    http.get(`${entityPath}/history`, ({ request }) => {
      requests.push(request.url);
      const url = new URL(request.url);
      const limit = Number(url.searchParams.get('limit'));
      const offset = Number(url.searchParams.get('cursor') ?? 0);
      const env = url.searchParams.get('environment');
      const rows = history.filter(h => !env || h.environment === env);
      const items = rows.slice(offset, offset + limit);
      return HttpResponse.json({
        items,
        nextCursor:
          offset + limit < rows.length ? String(offset + limit) : undefined,
      });
    }),
  );
  return requests;
}

describe('EntityGitopsContent', () => {
  it('opens with one call per thing it shows: the chart of every environment in one', async () => {
    serve([
      app({ name: 'checkout-dev' }),
      app({ name: 'checkout-staging', environment: 'staging' }),
      app({ name: 'checkout-prod', environment: 'prod' }),
    ]);
    const calls: string[] = [];
    server.events.on('request:start', ({ request }) => {
      if (request.url.startsWith('http://backstage.test/api/gitops'))
        calls.push(
          `${request.method} ${new URL(request.url).pathname.replace(
            '/api/gitops/entities/component/default/checkout',
            '',
          )}`,
        );
    });
    let asked: string | null = null;
    server.use(
      http.get(
        `${ENTITY.replace('/entities/', '/metrics/entities/')}/environments`,
        ({ request }) => {
          asked = new URL(request.url).searchParams.get('environment');
          return HttpResponse.json({ items: [] });
        },
      ),
      http.get(`${ENTITY}/changes`, () =>
        HttpResponse.json({ environments: [] }),
      ),
    );
    await renderWithApis(<EntityGitopsContent />, { entity });
    expect(await screen.findByText('checkout-prod')).toBeInTheDocument();
    await waitFor(() => expect(asked).toBe('dev,staging,prod'));
    await waitFor(() => expect(calls).toHaveLength(4));
    expect([...calls].sort()).toEqual(
      [
        'GET /changes',
        'GET /deployments',
        'GET /history',
        'GET /api/gitops/metrics/entities/component/default/checkout/environments',
      ].sort(),
    );
    server.events.removeAllListeners();
  });

  it('shows each environment with status chips and the deployed commit', async () => {
    serve([
      app({ name: 'checkout-dev' }),
      app({ name: 'checkout-prod', environment: 'prod' }),
    ]);
    await renderWithApis(<EntityGitopsContent />, { entity });
    expect(await screen.findByText('checkout-dev')).toBeInTheDocument();
    const dev = screen.getByRole('region', { name: 'environment dev' });
    const prod = screen.getByRole('region', { name: 'environment prod' });
    expect(within(dev).getByText('checkout-dev')).toBeInTheDocument();
    expect(within(prod).getByText('checkout-prod')).toBeInTheDocument();
    expect(screen.getAllByLabelText('health Healthy').length).toBeGreaterThan(
      0,
    );
    expect(screen.getAllByText(/Deployed: 0123456/)).toHaveLength(2);
    expect(screen.getByText('checkout-dev').closest('a')).toHaveAttribute(
      'href',
      'https://argo.example.com/applications/argocd/checkout-dev',
    );
  });

  it("lists pull-request previews apart from the environments: pull request, author, status, URL and age; an author's markup stays text", async () => {
    const preview = (n: number, title: string) => ({
      ...app({ name: `checkout-pr-${n}`, environment: 'preview' }),
      preview: {
        pullRequest: {
          number: n,
          title,
          author: 'dana',
          url: `https://github.com/acme/checkout/pull/${n}`,
        },
        url: `https://checkout-pr-${n}.preview.example.com/`,
        createdAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
      },
    });
    serve([app({ name: 'checkout-dev' })]);
    server.use(
      http.get(`${ENTITY}/deployments`, () =>
        HttpResponse.json({
          ...deployments([app({ name: 'checkout-dev' })]),
          previews: [
            preview(42, '<img src=x onerror=alert(1)>'),
            preview(41, 'Gift cards'),
          ],
        }),
      ),
    );
    await renderWithApis(<EntityGitopsContent />, { entity });
    const list = await screen.findByLabelText('pull-request previews');
    // not an environment
    expect(
      screen.queryByRole('region', { name: 'environment preview' }),
    ).not.toBeInTheDocument();
    expect(within(list).getByText('#41').closest('a')).toHaveAttribute(
      'href',
      'https://github.com/acme/checkout/pull/41',
    );
    expect(within(list).getByText(/Gift cards/)).toBeInTheDocument();
    expect(
      within(list).getByText(/<img src=x onerror=alert\(1\)>/),
    ).toBeInTheDocument();
    expect(list.querySelector('img')).toBeNull();
    expect(
      within(list).getByText('https://checkout-pr-42.preview.example.com/'),
    ).toHaveAttribute('href', 'https://checkout-pr-42.preview.example.com/');
    expect(within(list).getAllByText('3 hours ago')).toHaveLength(2);
    expect(within(list).getAllByText('dana')).toHaveLength(2);
    // newest first, as the backend sends them
    const rows = within(list).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('#42');
  });

  it('shows an environment on many clusters in summary, with the applications listed', async () => {
    const listed = [
      app({ name: 'edge', instance: 'prod-01', environment: 'prod' }),
      app({
        name: 'edge',
        instance: 'prod-20',
        environment: 'prod',
        healthStatus: 'Degraded',
        message: 'CrashLoopBackOff',
      }),
    ];
    const res = deployments(listed);
    res.environments[0] = {
      ...res.environments[0],
      healthStatus: 'Degraded',
      summary: {
        total: 1000,
        listed: 2,
        revisions: [
          { revision: '0123456789abcdef0123456789abcdef01234567', count: 870 },
          { revision: 'fedcba9876543210fedcba9876543210fedcba98', count: 130 },
        ],
        degraded: 12,
        progressing: 0,
        outOfSync: 3,
      },
    };
    server.use(
      http.get(`${ENTITY}/deployments`, () => HttpResponse.json(res)),
      http.get(`${ENTITY}/history`, () => HttpResponse.json({ items: [] })),
    );
    await renderWithApis(<EntityGitopsContent />, { entity });
    const summary = await screen.findByLabelText('summary of prod');
    expect(summary).toHaveTextContent(
      '0123456 on 870 of 1,000 · fedcba9 on 130 of 1,000',
    );
    expect(summary).toHaveTextContent('12 degraded · 3 out of sync');
    expect(summary).not.toHaveTextContent('progressing');
    expect(summary).toHaveTextContent('Listed here: 2 of 1,000');
    const prod = screen.getByRole('region', { name: 'environment prod' });
    expect(within(prod).getAllByText('edge')).toHaveLength(2);
    expect(within(prod).getByText('CrashLoopBackOff')).toBeInTheDocument();
  });

  it('shows out of sync, degraded with the message, progressing and stale', async () => {
    serve([
      app({ name: 'a', syncStatus: 'OutOfSync' }),
      app({
        name: 'b',
        environment: 'staging',
        healthStatus: 'Degraded',
        message: 'Back-off restarting failed container',
      }),
      app({
        name: 'c',
        environment: 'prod',
        healthStatus: 'Progressing',
        stale: true,
      }),
    ]);
    await renderWithApis(<EntityGitopsContent />, { entity });
    expect(
      await screen.findByText('Back-off restarting failed container'),
    ).toBeInTheDocument();
    expect(screen.getAllByLabelText('sync OutOfSync').length).toBeGreaterThan(
      0,
    );
    // prod's controller could not be read: its status is the last known,
    // not green, and nothing is sent to it
    const prod = screen.getByRole('region', { name: 'environment prod' });
    expect(
      within(prod).getAllByLabelText('health Progressing, last known').length,
    ).toBe(2);
    expect(within(prod).getAllByText('Progressing, last known').length).toBe(2);
    expect(screen.getAllByLabelText('health Degraded')).toHaveLength(2);
    expect(screen.getByText(/^stale since/)).toBeInTheDocument();
    await waitFor(() =>
      expect(
        within(prod).getByRole('button', { name: 'Refresh' }),
      ).toBeDisabled(),
    );
    expect(within(prod).getByRole('button', { name: 'Sync' })).toBeDisabled();
  });

  it('shows the attempted revision of a failed rollout and a Helm chart', async () => {
    serve([
      app({
        name: 'monitoring',
        revisions: ['65.0.0'],
        attemptedRevisions: ['65.1.0'],
        operationPhase: 'Failed',
        sources: [
          {
            repoUrl: 'https://charts.example.com',
            chart: 'kube-prometheus-stack',
          },
        ],
      }),
    ]);
    await renderWithApis(<EntityGitopsContent />, { entity });
    expect(await screen.findByText(/Attempted 65.1.0/)).toBeInTheDocument();
    expect(
      screen.getByText(/Deployed: 65.0.0 \(chart kube-prometheus-stack\)/),
    ).toBeInTheDocument();
  });

  it('tells which annotations to add when the entity has none', async () => {
    await renderWithApis(<EntityGitopsContent />, { entity: bareEntity });
    expect(screen.getByText(/Missing Annotation/i)).toBeInTheDocument();
    expect(screen.getAllByText(/argocd\/app-name/).length).toBeGreaterThan(0);
  });

  it('shows the API error', async () => {
    server.use(
      http.get(`${ENTITY}/deployments`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotFoundError', message: 'Entity not found' },
            response: { statusCode: 404 },
          },
          { status: 404 },
        ),
      ),
    );
    await renderWithApis(<EntityGitopsContent />, { entity });
    expect(
      (await screen.findAllByText(/Entity not found/)).length,
    ).toBeGreaterThan(0);
  });

  it('disables actions with an explanation without permission', async () => {
    // another entity, so no permission decision cached by an earlier test applies
    const locked = {
      ...entity,
      metadata: { ...entity.metadata, name: 'locked' },
    };
    serve(
      [app({ name: 'checkout-dev' })],
      historyRows(3),
      `${BASE_URL}/entities/component/default/locked`,
    );
    await renderWithApis(<EntityGitopsContent />, {
      entity: locked,
      permission: AuthorizeResult.DENY,
    });
    await screen.findByText('checkout-dev');
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Sync' })).toBeDisabled(),
    );
    expect(screen.getByRole('button', { name: 'Refresh' })).toBeDisabled();
    expect(
      screen.getByTitle('You are not allowed to sync this application'),
    ).toBeInTheDocument();
  });

  it('syncs through the backend after the user confirms, and reports the result', async () => {
    serve([app({ name: 'checkout-dev' })]);
    const posted: string[] = [];
    server.use(
      http.post(`${ENTITY}/applications/:id/:action`, ({ params }) => {
        posted.push(`${params.id} ${params.action}`);
        return HttpResponse.json({ status: 'accepted' }, { status: 202 });
      }),
    );
    const { alertApi } = await renderWithApis(<EntityGitopsContent />, {
      entity,
    });
    await screen.findByText('checkout-dev');
    const sync = screen.getByRole('button', { name: 'Sync' });
    await waitFor(() => expect(sync).toBeEnabled());
    // asked first: cancelled, nothing is sent
    await userEvent.click(sync);
    const ask = await screen.findByRole('dialog');
    expect(ask.textContent).toMatch(/Sync checkout-dev\?/);
    await userEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(posted).toEqual([]);
    await userEvent.click(sync);
    const confirm = await screen.findByRole('dialog');
    await userEvent.click(
      within(confirm).getByRole('button', { name: 'Sync' }),
    );
    await waitFor(() =>
      expect(posted).toEqual(['argocd:main:argocd:checkout-dev sync']),
    );
    expect(alertApi.post).toHaveBeenCalledWith(
      expect.objectContaining({ severity: 'success' }),
    );
  });

  it('pages 500 history rows from the server, rendering one page at a time', async () => {
    const requests = serve([app({ name: 'checkout-dev' })], historyRows(500));
    await renderWithApis(<EntityGitopsContent />, { entity });
    const table = await screen.findByText('Deployment history');
    await waitFor(() => expect(screen.getByText('Page 1')).toBeInTheDocument());
    // one page of 20 rows is rendered, not 500
    expect(await screen.findByText('0aaaaaa')).toBeInTheDocument();
    expect(screen.getByText('13aaaaa')).toBeInTheDocument();
    expect(screen.queryByText('14aaaaa')).not.toBeInTheDocument();
    expect(table).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Older' }));
    await waitFor(() => expect(screen.getByText('Page 2')).toBeInTheDocument());
    expect(await screen.findByText('14aaaaa')).toBeInTheDocument();
    expect(screen.queryByText('0aaaaaa')).not.toBeInTheDocument();
    expect(requests.map(r => new URL(r).searchParams.get('cursor'))).toEqual([
      null,
      '20',
    ]);
  });
});

describe('EntityGitopsContent with Flux', () => {
  it('offers reconcile and resume for a suspended Flux object', async () => {
    const fluxEntity = {
      ...entity,
      metadata: { ...entity.metadata, name: 'inventory' },
    };
    serve(
      [
        app({
          name: 'inventory-prod',
          engine: 'flux',
          kind: 'Kustomization',
          healthStatus: 'Suspended',
          revisions: [`main@sha1:${'a'.repeat(40)}`],
        }),
      ],
      historyRows(1),
      `${BASE_URL}/entities/component/default/inventory`,
    );
    await renderWithApis(<EntityGitopsContent />, { entity: fluxEntity });
    expect(await screen.findByText(/Flux Kustomization/)).toBeInTheDocument();
    expect(screen.getByText(/Deployed: aaaaaaa/)).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Reconcile' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Resume' })).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Sync' }),
    ).not.toBeInTheDocument();
  });
});

describe('EntityGitopsContent with Git data', () => {
  const commit = (n: number, message: string) => ({
    sha: `${n}`.repeat(40).slice(0, 40),
    message,
    authorName: 'Carol',
    committedAt: new Date(Date.now() - n * 3_600_000).toISOString(),
    url: `https://github.com/acme/shop/commit/${`${n}`
      .repeat(40)
      .slice(0, 40)}`,
  });

  it('shows the deployed commit, pending commits, a Git error and the promotion strip', async () => {
    const gitEntity = {
      ...entity,
      metadata: { ...entity.metadata, name: 'gitty' },
    };
    const dev = app({ name: 'gitty-dev' });
    const prod = app({ name: 'gitty-prod', environment: 'prod' });
    const broken = app({ name: 'gitty-broken', environment: 'prod' });
    const chart = app({
      name: 'gitty-chart',
      revisions: ['6.6.1'],
      sources: [{ repoUrl: 'https://charts.example.com', chart: 'podinfo' }],
    });
    const body = deployments([dev, chart, prod, broken]);
    body.environments[0].applications[1].git = [
      {
        repoUrl: 'https://charts.example.com',
        revision: '6.6.1',
        latestChartVersion: '6.7.0',
      },
    ];
    body.environments[0].applications[0].git = [
      {
        repoUrl: 'https://github.com/acme/shop',
        commit: commit(1, 'feat: newest\n\nbody'),
        pending: {
          branch: 'main',
          status: 'up-to-date',
          count: 0,
          commits: [],
        },
      },
    ];
    body.environments[1].applications[0].git = [
      {
        repoUrl: 'https://github.com/acme/shop',
        commit: commit(3, 'fix: older'),
        pending: {
          branch: 'main',
          status: 'ahead',
          count: 25,
          commits: [commit(1, 'feat: newest'), commit(2, 'chore: middle')],
          compareUrl: 'https://github.com/acme/shop/compare/3...1',
        },
      },
    ];
    body.environments[1].applications[1].git = [
      {
        repoUrl: 'https://git.example.org/x.git',
        error: 'git fetch failed: fatal: Authentication failed',
      },
    ];
    body.promotion = [
      {
        environment: 'dev',
        sha: commit(1, '').sha,
        commit: commit(1, 'feat: newest'),
      },
      {
        environment: 'prod',
        sha: commit(3, '').sha,
        commit: commit(3, 'fix: older'),
        behindPrevious: 2,
        previousEnvironment: 'dev',
      },
    ];
    server.use(
      http.get(`${BASE_URL}/entities/component/default/gitty/deployments`, () =>
        HttpResponse.json(body),
      ),
      http.get(`${BASE_URL}/entities/component/default/gitty/history`, () =>
        HttpResponse.json({
          items: [
            {
              ...historyRows(1)[0],
              revisions: [commit(4, '').sha],
              commit: commit(4, 'feat: history row\n\nbody'),
            },
          ],
        }),
      ),
    );
    await renderWithApis(<EntityGitopsContent />, { entity: gitEntity });
    expect(await screen.findByText(/feat: newest — Carol/)).toBeInTheDocument();
    expect(
      screen.getAllByRole('link', { name: /^1111111/ })[0],
    ).toHaveAttribute('href', commit(1, '').url);
    expect(screen.getByText(/Up to date with main/)).toBeInTheDocument();
    expect(
      screen.getByText('Git: git fetch failed: fatal: Authentication failed'),
    ).toBeInTheDocument();
    expect(screen.getByText('2 behind')).toBeInTheDocument();
    expect(screen.getByText('Chart 6.7.0 is available')).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: /25 pending commits on main/ }),
    );
    const list = screen.getByRole('list', { name: 'pending commits on main' });
    expect(within(list).getByText(/chore: middle/)).toBeInTheDocument();
    expect(within(list).getByText('and 23 more')).toBeInTheDocument();
    // history rows carry the commit message and author
    expect(await screen.findByText('feat: history row')).toBeInTheDocument();
    expect(
      screen.getAllByRole('link', { name: /^4444444/ })[0],
    ).toHaveAttribute('href', commit(4, '').url);
  });
});
