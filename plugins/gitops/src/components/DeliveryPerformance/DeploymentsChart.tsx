import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { DeliveryMetrics } from '@gitops-portal/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';

import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { gitopsTranslationRef } from '../../translation';
// Okabe–Ito, distinguishable with colour blindness; failures in vermillion
const PALETTE = ['#0072B2', '#009E73', '#CC79A7', '#56B4E9', '#F0E442'];
const FAILED = '#D55E00';

/** Rows of the chart: one per day, a count per environment, and failures. */
export function chartRows(perEnvironment: DeliveryMetrics[]) {
  const rows = new Map<string, Record<string, number | string>>();
  for (const m of perEnvironment) {
    for (const d of m.daily) {
      const row = rows.get(d.date) ?? { date: d.date, failed: 0 };
      row[m.environment] = d.deployments - d.failed;
      row.failed = Number(row.failed) + d.failed;
      rows.set(d.date, row);
    }
  }
  return [...rows.values()].sort((a, b) =>
    String(a.date).localeCompare(String(b.date)),
  );
}

/**
 * Deployments per day of each environment of an entity over 30 days, with
 * failed deployments marked.
 */
export function DeploymentsChart(props: {
  entity: Entity;
  environments: string[];
  /** Changes when the backend announces a change: the chart reloads. */
  version?: string;
}) {
  const api = useApi(gitopsApiRef);
  const { t } = useTranslationRef(gitopsTranslationRef);
  const { entity, environments } = props;
  const { value, loading, error } = useAsync(
    // every environment in one call
    () =>
      api.getEntityDeliveryMetricsByEnvironment(
        {
          kind: entity.kind,
          namespace: entity.metadata.namespace,
          name: entity.metadata.name,
        },
        { window: 30, environments },
      ),
    [api, entity, environments.join(','), props.version],
  );
  let body;
  if (error) body = <ResponseErrorPanel error={error} />;
  else if (loading || !value) body = <Progress />;
  else {
    const rows = chartRows(value);
    const total = value.reduce((n, m) => n + m.current.deployments, 0);
    const failed = value.reduce(
      (n, m) => n + m.current.changeFailRate.failed,
      0,
    );
    body = (
      <>
        <Typography variant="body2" color="textSecondary">
          {t('delivery.chartSummary', {
            total: String(total),
            failed: String(failed),
          })}
        </Typography>
        <div
          style={{ width: '100%', height: 220 }}
          role="img"
          aria-label={t('delivery.chartAria', {
            counts: value
              .map(m => `${m.environment} ${m.current.deployments}`)
              .join(', '),
            failed: String(failed),
          })}
        >
          <ResponsiveContainer>
            <BarChart data={rows}>
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="date" tickFormatter={d => String(d).slice(5)} />
              <YAxis allowDecimals={false} width={30} />
              <Tooltip />
              <Legend />
              {environments.map((env, i) => (
                <Bar
                  key={env}
                  dataKey={env}
                  stackId="deployments"
                  fill={PALETTE[i % PALETTE.length]}
                />
              ))}
              <Bar
                dataKey="failed"
                name={t('delivery.failed')}
                stackId="deployments"
                fill={FAILED}
              />
            </BarChart>
          </ResponsiveContainer>
        </div>
      </>
    );
  }
  return <InfoCard title={t('delivery.chartTitle')}>{body}</InfoCard>;
}
