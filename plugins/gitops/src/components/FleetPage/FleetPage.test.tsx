import { registerMswTestHooks } from '@backstage/test-utils';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { app } from '../../__fixtures__/data';
import { BASE_URL, renderWithApis } from '../../__testUtils__/renderWithApis';
import { FleetPage } from './FleetPage';

const server = setupServer();
registerMswTestHooks(server);

describe('FleetPage', () => {
  it('says which controllers are unreachable and what their applications show', async () => {
    server.use(
      http.get(`${BASE_URL}/fleet`, () =>
        HttpResponse.json({ items: [app({ name: 'web' })], totalCount: 1 }),
      ),
      http.get(`${BASE_URL}/controllers`, () =>
        HttpResponse.json({
          items: [
            {
              engine: 'argocd',
              instance: 'main',
              status: 'ok',
              lastAttemptAt: '2026-11-23T10:10:00Z',
              lastSuccessAt: '2026-11-23T10:10:00Z',
              applicationCount: 40,
            },
            {
              engine: 'flux',
              instance: 'prod-eu',
              status: 'unreachable',
              lastAttemptAt: '2026-11-23T10:10:00Z',
              lastSuccessAt: '2026-11-23T10:03:30Z',
              errorSince: '2026-11-23T10:04:00Z',
              lastError: 'connect ECONNREFUSED 10.0.0.12:6443',
              applicationCount: 312,
            },
          ],
        }),
      ),
    );
    await renderWithApis(<FleetPage />);
    expect(
      await screen.findByText(/1 GitOps controller unreachable/),
    ).toBeInTheDocument();
    const line = screen.getByText(/^prod-eu unreachable since/);
    expect(line.textContent).toMatch(
      /^prod-eu unreachable since \d\d:\d\d; its 312 applications show their last known state \(read \d\d:\d\d\): connect ECONNREFUSED 10\.0\.0\.12:6443$/,
    );
    expect(screen.queryByText(/^main unreachable/)).not.toBeInTheDocument();
  });

  it('lists applications and sends filters to the backend', async () => {
    const queries: URLSearchParams[] = [];
    server.use(
      http.get(`${BASE_URL}/fleet`, ({ request }) => {
        const params = new URL(request.url).searchParams;
        queries.push(params);
        const items = [
          app({ name: 'broken-dev', healthStatus: 'Degraded' }),
          app({ name: 'broken-prod', environment: 'prod' }),
          app({ name: 'fine' }),
        ].filter(
          a => !params.get('text') || a.name.includes(params.get('text')!),
        );
        return HttpResponse.json({ items, totalCount: items.length });
      }),
    );
    await renderWithApis(<FleetPage />);
    expect(await screen.findByText('broken-dev')).toBeInTheDocument();
    expect(screen.getByText('Applications (3)')).toBeInTheDocument();
    // the service × environment matrix rolls status up per cell
    expect(
      within(screen.getByTestId('cell-broken-dev')).getByLabelText(
        'health Degraded',
      ),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('cell-broken-prod')).getByLabelText(
        'health Healthy',
      ),
    ).toBeInTheDocument();
    expect(screen.getByTestId('cell-fine-prod')).toHaveTextContent('—');
    await userEvent.type(screen.getByLabelText('Search'), 'fin');
    await waitFor(() =>
      expect(screen.queryByText('broken-dev')).not.toBeInTheDocument(),
    );
    expect(screen.getByRole('link', { name: /^fine/ })).toBeInTheDocument();
    expect(queries.at(-1)?.get('text')).toBe('fin');
  });
});
