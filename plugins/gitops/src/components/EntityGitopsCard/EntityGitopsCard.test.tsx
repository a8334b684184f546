import { registerStrictMswHooks } from '@gitops-portal/gitops-test-utils/src/msw';
import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { emptyAnswers } from '../../__testUtils__/emptyAnswers';
import { app, deployments, entity } from '../../__fixtures__/data';
import { BASE_URL, renderWithApis } from '../../__testUtils__/renderWithApis';
import { EntityGitopsCard } from './EntityGitopsCard';

const server = setupServer(...emptyAnswers);
registerStrictMswHooks(server);

describe('EntityGitopsCard', () => {
  it('shows one line per environment with status and deployed revision', async () => {
    server.use(
      http.get(
        `${BASE_URL}/entities/component/default/checkout/deployments`,
        () =>
          HttpResponse.json(
            deployments([
              {
                ...app({ name: 'checkout-dev' }),
                git: [
                  {
                    repoUrl: 'https://github.com/acme/shop',
                    commit: {
                      sha: '0123456789abcdef0123456789abcdef01234567',
                      message: 'feat: faster checkout\n\nbody',
                      authorName: 'Alice',
                      committedAt: '2026-11-01T00:00:00Z',
                    },
                  },
                ],
              },
              app({
                name: 'checkout-prod',
                environment: 'prod',
                healthStatus: 'Degraded',
              }),
            ]),
          ),
      ),
    );
    await renderWithApis(<EntityGitopsCard />, { entity });
    expect(await screen.findByText('dev')).toBeInTheDocument();
    expect(screen.getByText('prod')).toBeInTheDocument();
    expect(screen.getByLabelText('health Degraded')).toBeInTheDocument();
    expect(
      screen.getByText(/0123456 feat: faster checkout · 5 minutes ago/),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/0123456/)).toHaveLength(2);
  });

  it("tells each environment's source and how the controller keeps it in sync", async () => {
    server.use(
      http.get(
        `${BASE_URL}/entities/component/default/checkout/deployments`,
        () =>
          HttpResponse.json(
            deployments([
              {
                ...app({ name: 'checkout-dev' }),
                sources: [
                  {
                    repoUrl: 'https://github.com/acme/fleet.git',
                    path: 'apps/checkout/dev',
                    targetRevision: 'main',
                  },
                ],
                syncPolicy: { automated: true, selfHeal: true, prune: true },
              },
              {
                ...app({ name: 'checkout-prod', environment: 'prod' }),
                sources: [
                  {
                    repoUrl: 'https://github.com/acme/fleet.git',
                    path: 'apps/checkout/prod',
                    targetRevision: 'v1.4.0',
                  },
                ],
                syncPolicy: { automated: false, selfHeal: false, prune: false },
              },
            ]),
          ),
      ),
    );
    await renderWithApis(<EntityGitopsCard />, { entity });
    const lines = await screen.findAllByTestId('source-and-policy');
    expect(lines.map(l => l.textContent)).toEqual([
      'github.com/acme/fleet apps/checkout/dev @ main · auto-sync, self-heal, prune',
      'github.com/acme/fleet apps/checkout/prod @ v1.4.0 · manual sync',
    ]);
  });

  it('shows the most common revision of an environment on many clusters', async () => {
    const res = deployments([
      app({ name: 'edge', instance: 'prod-01', environment: 'prod' }),
    ]);
    res.environments[0].summary = {
      total: 1000,
      listed: 20,
      revisions: [
        { revision: '0123456789abcdef0123456789abcdef01234567', count: 870 },
      ],
      degraded: 0,
      progressing: 0,
      outOfSync: 0,
    };
    server.use(
      http.get(
        `${BASE_URL}/entities/component/default/checkout/deployments`,
        () => HttpResponse.json(res),
      ),
    );
    await renderWithApis(<EntityGitopsCard />, { entity });
    expect(
      await screen.findByText(/0123456 on 870 of 1,000/),
    ).toBeInTheDocument();
  });
});
