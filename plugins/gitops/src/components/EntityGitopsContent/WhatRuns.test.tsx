import { registerStrictMswHooks } from '@gitops-portal/gitops-test-utils/src/msw';
import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { emptyAnswers } from '../../__testUtils__/emptyAnswers';
import { app, deployments, entity } from '../../__fixtures__/data';
import { BASE_URL, renderWithApis } from '../../__testUtils__/renderWithApis';
import { defaultT } from '../../__testUtils__/translation';
import { broughtText } from '../DeploymentHistory/DeploymentHistory';
import { imageDifferences, splitImage } from '../PromotionStrip/PromotionStrip';
import { EntityGitopsContent } from './EntityGitopsContent';

const server = setupServer(...emptyAnswers);
registerStrictMswHooks(server);

const ENTITY = `${BASE_URL}/entities/component/default/checkout`;
const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('what runs: images and resources needing attention', () => {
  it('shows each environment its images, the resources that drifted or fail, and image differences in the promotion strip', async () => {
    const body = deployments([
      app({
        name: 'checkout-staging',
        environment: 'staging',
        images: ['ghcr.io/acme/checkout:1.5.0', 'redis:7.2'],
      }),
      app({
        name: 'checkout-prod',
        environment: 'prod',
        syncStatus: 'OutOfSync',
        outOfSyncSince: new Date(Date.now() - 12 * 60_000).toISOString(),
        hydration: {
          targetBranch: 'environments/prod',
          hydratedRevision: 'c'.repeat(40),
          phase: 'Failed',
          message: 'kustomize build failed',
        },
        healthStatus: 'Degraded',
        images: ['ghcr.io/acme/checkout:1.4.2', 'redis:7.2'],
        resourceCount: 7,
        resources: [
          {
            group: 'apps',
            kind: 'Deployment',
            namespace: 'shop',
            name: 'checkout',
            syncStatus: 'Synced',
            healthStatus: 'Degraded',
            message: 'exceeded its progress deadline',
          },
          {
            kind: 'ConfigMap',
            namespace: 'shop',
            name: 'checkout-config',
            syncStatus: 'OutOfSync',
          },
        ],
      }),
    ]);
    body.promotion = [
      { environment: 'staging', sha: SHA },
      {
        environment: 'prod',
        sha: SHA,
        behindPrevious: 0,
        previousEnvironment: 'staging',
      },
    ];
    server.use(
      http.get(`${ENTITY}/deployments`, () => HttpResponse.json(body)),
      http.get(`${ENTITY}/history`, () => HttpResponse.json({ items: [] })),
      http.get(`${ENTITY}/changes`, () =>
        HttpResponse.json({ environments: [], proposals: [] }),
      ),
    );
    await renderWithApis(<EntityGitopsContent />, { entity });
    const prod = await screen.findByRole('region', {
      name: 'environment prod',
    });
    const images = within(prod).getByLabelText('images of checkout-prod');
    expect(
      within(images).getByText('ghcr.io/acme/checkout:1.4.2'),
    ).toBeInTheDocument();
    const attention = within(prod).getByLabelText(
      'resources of checkout-prod needing attention',
    );
    expect(attention.textContent).toContain(
      '2 of 7 resources out of sync or unhealthy',
    );
    expect(attention.textContent).toContain(
      'Deployment shop/checkout: Degraded — exceeded its progress deadline',
    );
    expect(attention.textContent).toContain(
      'ConfigMap shop/checkout-config: OutOfSync',
    );
    expect(
      screen.getByLabelText('image ghcr.io/acme/checkout differs').textContent,
    ).toBe('checkout: 1.4.2 (staging: 1.5.0)');
    expect(within(prod).getByText(/^out of sync since/).textContent).toMatch(
      /12 minutes ago/,
    );
    expect(
      within(prod).getByText(/^Hydrated into environments\/prod/).textContent,
    ).toBe(
      'Hydrated into environments/prod at ccccccc · hydration failed: kustomize build failed',
    );
  });

  it('shows a canary under way (step, weight, paused), a blue-green rollout, and the ApplicationSet that generated the app', async () => {
    const body = deployments([
      app({
        name: 'recommendations-prod',
        environment: 'prod',
        healthStatus: 'Suspended',
        applicationSet: 'recommendations',
        rollouts: [
          {
            name: 'recommendations',
            namespace: 'shop',
            strategy: 'canary',
            phase: 'Paused',
            message: 'CanaryPauseStep',
            step: 1,
            steps: 6,
            weight: 20,
            paused: true,
            aborted: false,
          },
          {
            name: 'web',
            namespace: 'shop',
            strategy: 'blueGreen',
            activeSelector: '5c8d7f6b4',
            previewSelector: '6d4f8b7c9',
            paused: false,
            aborted: false,
          },
        ],
      }),
    ]);
    server.use(
      http.get(`${ENTITY}/deployments`, () => HttpResponse.json(body)),
      http.get(`${ENTITY}/history`, () => HttpResponse.json({ items: [] })),
      http.get(`${ENTITY}/changes`, () =>
        HttpResponse.json({ environments: [], proposals: [] }),
      ),
    );
    body.applicationSets = [
      {
        instance: 'main',
        namespace: 'argocd',
        name: 'recommendations',
        strategy: 'RollingSync',
        steps: 1,
        conditions: [{ type: 'ResourcesUpToDate', status: 'True' }],
        applications: [
          {
            application: 'recommendations-prod',
            status: 'Progressing',
            step: 1,
          },
        ],
        readAt: '2026-11-23T10:00:00Z',
      },
    ];
    await renderWithApis(<EntityGitopsContent />, { entity });
    const canary = await screen.findByLabelText('rollout recommendations');
    expect(
      screen.getByText(/generated by ApplicationSet recommendations/),
    ).toBeInTheDocument();
    const set = screen.getByLabelText('ApplicationSet recommendations');
    expect(
      within(set).getByText('step 1 · recommendations-prod: Progressing'),
    ).toBeInTheDocument();
    expect(canary.textContent).toBe(
      'Rollout recommendations: canary step 1 of 6, 20 % on the new version · paused (CanaryPauseStep)',
    );
    expect(
      within(canary).getByRole('progressbar', {
        name: '20 % on the new version',
      }),
    ).toHaveAttribute('aria-valuenow', '20');
    expect(screen.getByLabelText('rollout web').textContent).toBe(
      'Rollout web: blue-green, active 5c8d7f6, preview 6d4f8b7',
    );
  });

  it('splits images and finds the ones that differ', () => {
    expect(splitImage('localhost:5000/app:1.2')).toEqual({
      repo: 'localhost:5000/app',
      version: '1.2',
    });
    expect(splitImage(`app@sha256:${'c'.repeat(64)}`)).toEqual({
      repo: 'app',
      version: `sha256:${'c'.repeat(64)}`,
    });
    expect(splitImage('localhost:5000/app')).toEqual({
      repo: 'localhost:5000/app',
      version: 'latest',
    });
    expect(imageDifferences(['a:1', 'b:1'], ['a:2', 'b:1', 'c:1'])).toEqual([
      { repo: 'a', from: '1', to: '2' },
    ]);
  });

  it('says what the backend classified a deployment as, and what new commits brought', () => {
    const t = defaultT();
    const sha = 'f'.repeat(40);
    // the kind decides, whatever the commits say
    expect(
      broughtText(t, { count: 0, fromSha: sha }, { kind: 'self-heal' }),
    ).toBe('self-heal: same revision re-applied (a manual change reverted)');
    expect(
      broughtText(t, { count: 0, fromSha: sha }, { kind: 'redeploy' }),
    ).toBe('redeploy of the same revision');
    expect(
      broughtText(t, { count: 0, fromSha: sha }, { kind: 'rollback' }),
    ).toBe('rollback to an earlier revision');
    // a new commit is never told as a self-heal, even with no commits read
    expect(
      broughtText(t, { count: 0, fromSha: sha }, { kind: 'new-commit' }),
    ).toBe('');
    expect(broughtText(t, undefined, { kind: 'promotion' })).toBe('');
    expect(
      broughtText(
        t,
        {
          count: 3,
          fromSha: sha,
          oldestCommittedAt: new Date(
            Date.now() - 2 * 86_400_000,
          ).toISOString(),
        },
        { kind: 'promotion' },
      ),
    ).toBe('3 commits, oldest 2 days ago');
    expect(
      broughtText(
        t,
        { count: 1, fromSha: 'e'.repeat(40) },
        { kind: 'new-commit' },
      ),
    ).toBe('1 commit');
  });
});
