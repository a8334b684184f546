import {
  DeliveryMetricsWithBands,
  DoraBand,
} from '@gitops-portal/plugin-gitops-common';

/** "35 min", "7 h", "2.5 d" for a duration in seconds; "—" for none. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined) return '—';
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  if (seconds < 48 * 3600) return `${+(seconds / 3600).toFixed(1)} h`;
  return `${+(seconds / 86400).toFixed(1)} d`;
}

/** "12.5 %" for a rate; "—" for none. */
export function formatRate(rate: number | undefined): string {
  return rate === undefined ? '—' : `${+(rate * 100).toFixed(1)} %`;
}

/** "3.2 / day", "2 / week", "1 / month" for deployments per day. */
export function formatFrequency(perDay: number, deployments: number): string {
  if (deployments === 0) return 'none';
  if (perDay >= 1) return `${+perDay.toFixed(1)} / day`;
  if (perDay * 7 >= 1) return `${+(perDay * 7).toFixed(1)} / week`;
  return `${+(perDay * 30).toFixed(1)} / month`;
}

/** One key of the metrics: its text, its band, and which way is better. */
export interface KeyFigure {
  key: 'deploymentFrequency' | 'leadTime' | 'changeFailRate' | 'recoveryTime';
  label: string;
  value: string;
  band?: DoraBand;
  /** The number compared with the previous window. */
  raw?: number;
  higherIsBetter: boolean;
  detail: string;
}

export function keyFigures(m: DeliveryMetricsWithBands): KeyFigure[] {
  return [
    {
      key: 'deploymentFrequency',
      label: 'Deployment frequency',
      value: formatFrequency(m.deploymentFrequency, m.deployments),
      band: m.bands.deploymentFrequency,
      raw: m.deployments ? m.deploymentFrequency : undefined,
      higherIsBetter: true,
      detail: `${m.deployments} deployments`,
    },
    {
      key: 'leadTime',
      label: 'Change lead time',
      value: formatDuration(m.leadTime.medianSeconds),
      band: m.bands.leadTime,
      raw: m.leadTime.medianSeconds,
      higherIsBetter: false,
      detail: `median of ${m.leadTime.commits} commits · p90 ${formatDuration(
        m.leadTime.p90Seconds,
      )}`,
    },
    {
      key: 'changeFailRate',
      label: 'Change fail rate',
      value: formatRate(m.changeFailRate.rate),
      band: m.bands.changeFailRate,
      raw: m.changeFailRate.rate,
      higherIsBetter: false,
      detail: `${m.changeFailRate.failed} failed · rework ${formatRate(
        m.reworkRate.rate,
      )}`,
    },
    {
      key: 'recoveryTime',
      label: 'Failed deployment recovery',
      value: formatDuration(m.recoveryTime.medianSeconds),
      band: m.bands.recoveryTime,
      raw: m.recoveryTime.medianSeconds,
      higherIsBetter: false,
      detail: m.recoveryTime.recovered
        ? `median of ${m.recoveryTime.recovered} recoveries`
        : 'no failure to recover from',
    },
  ];
}

/** Better, worse or the same as the previous window. */
export function trendOf(
  now: number | undefined,
  before: number | undefined,
  higherIsBetter: boolean,
): 'better' | 'worse' | 'same' | undefined {
  if (now === undefined || before === undefined) return undefined;
  if (Math.abs(now - before) < 1e-9) return 'same';
  return now > before === higherIsBetter ? 'better' : 'worse';
}
