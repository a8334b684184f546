import {
  DeliveryMetricsWithBands,
  DoraBand,
} from '@gitops-portal/plugin-gitops-common';
import { GitopsT } from '../../translation';

/** "35 min", "7 h", "2.5 d" for a duration in seconds; "—" for none. */
export function formatDuration(
  t: GitopsT,
  seconds: number | undefined,
): string {
  if (seconds === undefined) return t('common.none');
  if (seconds < 3600) {
    return t('delivery.format.minutes', {
      value: String(Math.max(1, Math.round(seconds / 60))),
    });
  }
  if (seconds < 48 * 3600) {
    return t('delivery.format.hours', {
      value: String(+(seconds / 3600).toFixed(1)),
    });
  }
  return t('delivery.format.days', {
    value: String(+(seconds / 86400).toFixed(1)),
  });
}

/** "12.5 %" for a rate; "—" for none. */
export function formatRate(t: GitopsT, rate: number | undefined): string {
  return rate === undefined
    ? t('common.none')
    : t('delivery.format.percent', { value: String(+(rate * 100).toFixed(1)) });
}

/** "3.2 / day", "2 / week", "1 / month" for deployments per day. */
export function formatFrequency(
  t: GitopsT,
  perDay: number,
  deployments: number,
): string {
  if (deployments === 0) return t('delivery.format.none');
  if (perDay >= 1) {
    return t('delivery.format.perDay', { value: String(+perDay.toFixed(1)) });
  }
  if (perDay * 7 >= 1) {
    return t('delivery.format.perWeek', {
      value: String(+(perDay * 7).toFixed(1)),
    });
  }
  return t('delivery.format.perMonth', {
    value: String(+(perDay * 30).toFixed(1)),
  });
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

export function keyFigures(
  t: GitopsT,
  m: DeliveryMetricsWithBands,
): KeyFigure[] {
  return [
    {
      key: 'deploymentFrequency',
      label: t('delivery.keys.deploymentFrequency'),
      value: formatFrequency(t, m.deploymentFrequency, m.deployments),
      band: m.bands.deploymentFrequency,
      raw: m.deployments ? m.deploymentFrequency : undefined,
      higherIsBetter: true,
      detail: t('delivery.detail.deployments', {
        deployments: String(m.deployments),
      }),
    },
    {
      key: 'leadTime',
      label: t('delivery.keys.leadTime'),
      value: formatDuration(t, m.leadTime.medianSeconds),
      band: m.bands.leadTime,
      raw: m.leadTime.medianSeconds,
      higherIsBetter: false,
      detail: t('delivery.detail.leadTime', {
        commits: String(m.leadTime.commits),
        p90: formatDuration(t, m.leadTime.p90Seconds),
      }),
    },
    {
      key: 'changeFailRate',
      label: t('delivery.keys.changeFailRate'),
      value: formatRate(t, m.changeFailRate.rate),
      band: m.bands.changeFailRate,
      raw: m.changeFailRate.rate,
      higherIsBetter: false,
      detail: t('delivery.detail.changeFailRate', {
        failed: String(m.changeFailRate.failed),
        rework: formatRate(t, m.reworkRate.rate),
      }),
    },
    {
      key: 'recoveryTime',
      label: t('delivery.keys.recoveryTime'),
      value: formatDuration(t, m.recoveryTime.medianSeconds),
      band: m.bands.recoveryTime,
      raw: m.recoveryTime.medianSeconds,
      higherIsBetter: false,
      detail: m.recoveryTime.recovered
        ? t('delivery.detail.recoveries', {
            recovered: String(m.recoveryTime.recovered),
          })
        : t('delivery.detail.noFailure'),
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
