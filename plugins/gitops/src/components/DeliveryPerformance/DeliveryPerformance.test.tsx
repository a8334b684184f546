import { registerStrictMswHooks } from '@gitops-portal/gitops-test-utils/src/msw';
import { DeliveryMetrics } from '@gitops-portal/plugin-gitops-common';
import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { emptyAnswers } from '../../__testUtils__/emptyAnswers';
import { entity } from '../../__fixtures__/data';
import { BASE_URL, renderWithApis } from '../../__testUtils__/renderWithApis';
import { DeliveryPerformanceCard } from './DeliveryPerformanceCard';
import { chartRows } from './DeploymentsChart';
import { TeamDeliveryTable } from './TeamDeliveryTable';
import { formatDuration, formatFrequency, formatRate } from './metricsFormat';
import { defaultT } from '../../__testUtils__/translation';

const server = setupServer(...emptyAnswers);
registerStrictMswHooks(server);

const H = 3600;
function metrics(over: Partial<DeliveryMetrics> = {}): DeliveryMetrics {
  return {
    scope: 'component:default/checkout',
    environment: 'prod',
    window: {
      days: 30,
      from: '2026-10-09T00:00:00.000Z',
      to: '2026-11-08T00:00:00.000Z',
    },
    current: {
      deployments: 8,
      deploymentFrequency: 8 / 30,
      leadTime: { commits: 6, medianSeconds: 7 * H, p90Seconds: 48 * H },
      changeFailRate: { failed: 3, rate: 3 / 8 },
      recoveryTime: { recovered: 3, medianSeconds: 4 * H },
      reworkRate: { reworked: 3, rate: 3 / 8 },
      bands: {
        deploymentFrequency: 'high',
        leadTime: 'elite',
        changeFailRate: 'low',
        recoveryTime: 'high',
      },
    },
    previous: {
      deployments: 2,
      deploymentFrequency: 2 / 30,
      leadTime: { commits: 2, medianSeconds: 30 * H },
      changeFailRate: { failed: 0, rate: 0 },
      recoveryTime: { recovered: 0 },
      reworkRate: { reworked: 0, rate: 0 },
      bands: {
        deploymentFrequency: 'medium',
        leadTime: 'high',
        changeFailRate: 'elite',
      },
    },
    daily: [
      { date: '2026-11-06', deployments: 2, failed: 1 },
      { date: '2026-11-07', deployments: 1, failed: 0 },
    ],
    ...over,
  };
}

describe('DeliveryPerformanceCard', () => {
  it('shows the four keys with their bands and the trend, for the chosen window', async () => {
    const windows: string[] = [];
    server.use(
      http.get(
        `${BASE_URL}/metrics/entities/component/default/checkout`,
        ({ request }) => {
          windows.push(new URL(request.url).searchParams.get('window')!);
          return HttpResponse.json(metrics());
        },
      ),
    );
    await renderWithApis(<DeliveryPerformanceCard />, { entity });
    const lead = await screen.findByRole('group', { name: 'Change lead time' });
    expect(within(lead).getByText('7 h')).toBeInTheDocument();
    expect(within(lead).getByLabelText('DORA band elite')).toBeInTheDocument();
    expect(
      within(lead).getByText(/▲ better than the 30 days before \(30 h\)/),
    ).toBeInTheDocument();
    const cfr = screen.getByRole('group', { name: 'Change fail rate' });
    expect(within(cfr).getByText('37.5 %')).toBeInTheDocument();
    expect(within(cfr).getByLabelText('DORA band low')).toBeInTheDocument();
    expect(within(cfr).getByText(/▼ worse/)).toBeInTheDocument();
    expect(
      within(
        screen.getByRole('group', { name: 'Deployment frequency' }),
      ).getByText('1.9 / week'),
    ).toBeInTheDocument();
    expect(screen.getByText('DORA metrics in prod')).toBeInTheDocument();
    expect(windows).toEqual(['30']);
  });
});

describe('TeamDeliveryTable', () => {
  it('lists teams with their metrics and bands', async () => {
    server.use(
      http.get(`${BASE_URL}/metrics/teams`, () =>
        HttpResponse.json([
          {
            owner: 'group:default/team-a',
            services: ['component:default/checkout'],
            metrics: metrics(),
          },
        ]),
      ),
    );
    await renderWithApis(<TeamDeliveryTable />);
    expect(await screen.findByText('team-a')).toBeInTheDocument();
    expect(
      screen.getByText('Delivery performance by team (prod, 30 days)'),
    ).toBeInTheDocument();
    // change fail rate and rework rate
    expect(screen.getAllByText('37.5 %')).toHaveLength(2);
    expect(screen.getAllByLabelText('DORA band high')).toHaveLength(2);
  });
});

describe('chart rows and formats', () => {
  it('puts environments side by side per day, failures apart', () => {
    const prod = metrics();
    const staging = metrics({
      environment: 'staging',
      daily: [{ date: '2026-11-06', deployments: 3, failed: 0 }],
    });
    expect(chartRows([prod, staging])).toEqual([
      { date: '2026-11-06', prod: 1, staging: 3, failed: 1 },
      { date: '2026-11-07', prod: 1, failed: 0 },
    ]);
  });

  it('formats durations, rates and frequencies', () => {
    const t = defaultT();
    expect(formatDuration(t, undefined)).toBe('—');
    expect(formatDuration(t, 90)).toBe('2 min');
    expect(formatDuration(t, 7 * H)).toBe('7 h');
    expect(formatDuration(t, 72 * H)).toBe('3 d');
    expect(formatRate(t, 3 / 8)).toBe('37.5 %');
    expect(formatFrequency(t, 2, 60)).toBe('2 / day');
    expect(formatFrequency(t, 1 / 30, 1)).toBe('1 / month');
    expect(formatFrequency(t, 0, 0)).toBe('none');
  });
});
