import { registerStrictMswHooks } from '@gitops-portal/gitops-test-utils/src/msw';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { emptyAnswers } from '../../__testUtils__/emptyAnswers';
import { app } from '../../__fixtures__/data';
import { BASE_URL, renderWithApis } from '../../__testUtils__/renderWithApis';
import { FleetPage } from './FleetPage';

const server = setupServer(...emptyAnswers);
registerStrictMswHooks(server);

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

  it('reads its filters from the URL, and an owner given as a group name', async () => {
    const queries: URLSearchParams[] = [];
    server.use(
      http.get(`${BASE_URL}/fleet`, ({ request }) => {
        queries.push(new URL(request.url).searchParams);
        return HttpResponse.json({
          items: [app({ name: 'broken-dev', healthStatus: 'Degraded' })],
          totalCount: 1,
        });
      }),
    );
    const matrixQueries: URLSearchParams[] = [];
    server.use(
      http.get(`${BASE_URL}/fleet/matrix`, ({ request }) => {
        matrixQueries.push(new URL(request.url).searchParams);
        return HttpResponse.json({ environments: [], rows: [] });
      }),
    );
    // a shared link to a filtered fleet
    await renderWithApis(<FleetPage />, {
      routeEntries: ['/?health=Degraded&q=broken&owner=team-a&sync=Bogus'],
    });
    expect(await screen.findByText('broken-dev')).toBeInTheDocument();
    const first = queries[0];
    expect(first.get('healthStatus')).toBe('Degraded');
    expect(first.get('text')).toBe('broken');
    expect(first.get('owner')).toBe('team-a');
    // a value the filter does not know is ignored, not sent
    expect(first.get('syncStatus')).toBeNull();
    expect(screen.getByLabelText('Search')).toHaveValue('broken');
    expect(screen.getByLabelText('Owner')).toHaveValue('team-a');
    // the matrix counts what the list shows
    await waitFor(() => expect(matrixQueries.length).toBeGreaterThan(0));
    expect(Object.fromEntries(matrixQueries[0])).toEqual({
      healthStatus: 'Degraded',
      owner: 'team-a',
      text: 'broken',
    });
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
    await userEvent.type(screen.getByLabelText('Search'), 'fin');
    await waitFor(() =>
      expect(screen.queryByText('broken-dev')).not.toBeInTheDocument(),
    );
    expect(screen.getByRole('link', { name: /^fine/ })).toBeInTheDocument();
    expect(queries.at(-1)?.get('text')).toBe('fin');
    // typed in one go: asked once the typing paused, not at every key
    expect(queries.filter(q => q.has('text')).map(q => q.get('text'))).toEqual([
      'fin',
    ]);
  });

  it('shows the matrix aggregated over clusters, and drills down to a cell', async () => {
    const queries: URLSearchParams[] = [];
    server.use(
      http.get(`${BASE_URL}/fleet/matrix`, () =>
        HttpResponse.json({
          environments: ['staging', 'prod'],
          rows: [
            {
              service: 'checkout',
              entityRef: 'component:default/checkout',
              cells: [
                {
                  environment: 'prod',
                  total: 1000,
                  revisions: [
                    { revision: 'a'.repeat(40), count: 870 },
                    { revision: 'b'.repeat(40), count: 130 },
                  ],
                  degraded: 12,
                  progressing: 0,
                  outOfSync: 3,
                  health: 'Degraded',
                  sync: 'OutOfSync',
                },
              ],
            },
          ],
        }),
      ),
      http.get(`${BASE_URL}/fleet`, ({ request }) => {
        const params = new URL(request.url).searchParams;
        queries.push(params);
        return HttpResponse.json({
          items: [
            {
              ...app({ name: 'checkout-prod', environment: 'prod' }),
              entityRef: 'component:default/checkout',
            },
          ],
          totalCount: 1,
        });
      }),
    );
    await renderWithApis(<FleetPage />);
    const cell = await screen.findByTestId('cell-checkout-prod');
    // the service opens its page in the portal, from the matrix and the list
    const matrix = screen.getByRole('table', { name: /matrix/i });
    expect(
      within(matrix).getByRole('link', { name: 'checkout' }),
    ).toHaveAttribute('href', '/catalog/default/component/checkout');
    await waitFor(() =>
      expect(
        screen
          .getAllByRole('link', { name: 'checkout' })
          .map(l => l.getAttribute('href')),
      ).toEqual([
        '/catalog/default/component/checkout',
        '/catalog/default/component/checkout',
      ]),
    );
    expect(cell).toHaveTextContent(
      'aaaaaaa on 870 of 1,000 · 12 degraded · 3 out of sync',
    );
    expect(within(cell).getByLabelText('health Degraded')).toBeInTheDocument();
    expect(screen.getByTestId('cell-checkout-staging')).toHaveTextContent('—');
    await userEvent.click(
      within(cell).getByRole('button', {
        name: 'applications of checkout in prod',
      }),
    );
    await waitFor(() =>
      expect(queries.at(-1)?.get('service')).toBe('checkout'),
    );
    expect(queries.at(-1)?.get('environment')).toBe('prod');
    // the drill-down says what it shows, and its delete icon shows all again
    const chip = screen.getByText('checkout in prod');
    await userEvent.click(chip.parentElement!.querySelector('svg')!);
    await waitFor(() => expect(queries.at(-1)?.has('service')).toBe(false));
  });

  it('pages through the fleet with the cursors the backend gives, and back', async () => {
    const asked: (string | null)[] = [];
    server.use(
      http.get(`${BASE_URL}/fleet`, ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        asked.push(cursor);
        expect(new URL(request.url).searchParams.get('limit')).toBe('100');
        return HttpResponse.json(
          cursor === 'after-alpha'
            ? { items: [app({ name: 'beta' })], totalCount: 2 }
            : {
                items: [app({ name: 'alpha' })],
                totalCount: 2,
                nextCursor: 'after-alpha',
              },
        );
      }),
    );
    await renderWithApis(<FleetPage />);
    expect(
      await screen.findByRole('link', { name: /^alpha/ }),
    ).toBeInTheDocument();
    expect(screen.getByText('Page 1')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Previous' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(
      await screen.findByRole('link', { name: /^beta/ }),
    ).toBeInTheDocument();
    expect(screen.getByText('Page 2')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next' })).toBeDisabled();
    await userEvent.click(screen.getByRole('button', { name: 'Previous' }));
    expect(
      await screen.findByRole('link', { name: /^alpha/ }),
    ).toBeInTheDocument();
    expect(asked).toContain('after-alpha');
    expect(asked.at(-1)).toBeNull();
  });

  it('groups applications by ApplicationSet and shows the conditions and progressive-sync steps of each set', async () => {
    server.use(
      http.get(`${BASE_URL}/fleet`, () =>
        HttpResponse.json({
          items: [
            app({ name: 'checkout-dev', applicationSet: 'checkout' }),
            app({ name: 'web' }),
          ],
          totalCount: 2,
        }),
      ),
      http.get(`${BASE_URL}/applicationsets`, () =>
        HttpResponse.json({
          items: [
            {
              instance: 'main',
              namespace: 'argocd',
              name: 'checkout',
              strategy: 'RollingSync',
              steps: 2,
              conditions: [
                { type: 'ErrorOccurred', status: 'False' },
                {
                  type: 'RolloutProgressing',
                  status: 'True',
                  message: 'ApplicationSet is performing rollout of step',
                },
              ],
              applications: [
                { application: 'checkout-staging', status: 'Waiting', step: 2 },
                { application: 'checkout-dev', status: 'Progressing', step: 1 },
              ],
              readAt: '2026-11-23T10:00:00Z',
            },
            {
              instance: 'main',
              namespace: 'argocd',
              name: 'addons',
              conditions: [
                {
                  type: 'ErrorOccurred',
                  status: 'True',
                  message: 'cluster edge-1 not found',
                },
              ],
              applications: [],
              readAt: '2026-11-23T10:00:00Z',
            },
          ],
        }),
      ),
    );
    await renderWithApis(<FleetPage />);
    const checkout = await screen.findByLabelText('ApplicationSet checkout');
    expect(
      within(checkout).getByText(/progressive sync, 2 steps/),
    ).toBeInTheDocument();
    expect(
      within(checkout).getByText('RolloutProgressing: True'),
    ).toBeInTheDocument();
    // applications in step order
    expect(
      within(checkout)
        .getAllByText(/^step \d/)
        .map(e => e.textContent),
    ).toEqual([
      'step 1 · checkout-dev: Progressing',
      'step 2 · checkout-staging: Waiting',
    ]);
    const addons = screen.getByLabelText('ApplicationSet addons');
    expect(
      within(addons).getByText(/all applications at once/),
    ).toBeInTheDocument();
    expect(
      within(addons).getByText('cluster edge-1 not found'),
    ).toBeInTheDocument();
    // the application table says which set generated an application
    const row = screen
      .getByRole('link', { name: /^checkout-dev/ })
      .closest('tr')!;
    expect(within(row).getByText('checkout')).toBeInTheDocument();
  });

  it('downloads the audit of the last 30 days as CSV', async () => {
    const asked: URLSearchParams[] = [];
    server.use(
      http.get(`${BASE_URL}/fleet`, () =>
        HttpResponse.json({ items: [], totalCount: 0 }),
      ),
      http.get(`${BASE_URL}/audit`, ({ request }) => {
        asked.push(new URL(request.url).searchParams);
        return new HttpResponse('at,type\r\n', {
          headers: { 'content-type': 'text/csv' },
        });
      }),
    );
    const blobs: Blob[] = [];
    URL.createObjectURL = jest.fn((b: Blob) => {
      blobs.push(b);
      return 'blob:audit';
    });
    URL.revokeObjectURL = jest.fn();
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(() => {});
    await renderWithApis(<FleetPage />);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Export audit, last 30 days (CSV)',
      }),
    );
    await waitFor(() => expect(click).toHaveBeenCalled());
    expect(asked[0].get('format')).toBe('csv');
    const days =
      (Date.parse(asked[0].get('to')!) - Date.parse(asked[0].get('from')!)) /
      (24 * 3600_000);
    expect(days).toBe(30);
    expect(await blobs[0].text()).toBe('at,type\r\n');
    click.mockRestore();
  });
});
