import { registerMswTestHooks } from '@backstage/test-utils';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { app } from '../../__fixtures__/data';
import { BASE_URL, renderWithApis } from '../../__testUtils__/renderWithApis';
import { FleetPage } from './FleetPage';

const server = setupServer();
registerMswTestHooks(server);

describe('FleetPage', () => {
  it('lists applications and sends filters to the backend', async () => {
    const queries: URLSearchParams[] = [];
    server.use(
      http.get(`${BASE_URL}/fleet`, ({ request }) => {
        const params = new URL(request.url).searchParams;
        queries.push(params);
        const items = [
          app({ name: 'broken', healthStatus: 'Degraded' }),
          app({ name: 'fine' }),
        ].filter(
          a => !params.get('text') || a.name.includes(params.get('text')!),
        );
        return HttpResponse.json({ items, totalCount: items.length });
      }),
    );
    await renderWithApis(<FleetPage />);
    expect(await screen.findByText('broken')).toBeInTheDocument();
    expect(screen.getByText('Applications (2)')).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('Search'), 'fin');
    await waitFor(() =>
      expect(screen.queryByText('broken')).not.toBeInTheDocument(),
    );
    expect(screen.getByText('fine')).toBeInTheDocument();
    expect(queries.at(-1)?.get('text')).toBe('fin');
  });
});
