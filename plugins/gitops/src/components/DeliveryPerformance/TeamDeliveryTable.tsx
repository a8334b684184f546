import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  DeliveryMetricsWindow,
  DoraBand,
  TeamDeliveryMetrics,
} from '@gitops-portal/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import { useState } from 'react';
import { useStableColumns } from '../../hooks/useStableColumns';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { BandChip } from './BandChip';
import { WindowSelect } from './WindowSelect';
import { formatDuration, formatFrequency, formatRate } from './metricsFormat';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { GitopsT, gitopsTranslationRef } from '../../translation';

/** A figure and its band; no band chip for a figure there is no data for. */
const cell = (text: string, band: DoraBand | undefined, hasData: boolean) => (
  <Box display="flex" alignItems="center" style={{ gap: 8 }}>
    <span>{text}</span>
    {band !== undefined || hasData ? <BandChip band={band} /> : null}
  </Box>
);

// undefined sorts last whichever way
const by =
  (f: (t: TeamDeliveryMetrics) => number | undefined) =>
  (a: TeamDeliveryMetrics, b: TeamDeliveryMetrics) =>
    (f(a) ?? Number.MAX_VALUE) - (f(b) ?? Number.MAX_VALUE);

const teamColumns = (t: GitopsT): TableColumn<TeamDeliveryMetrics>[] => [
  {
    title: t('delivery.team'),
    field: 'owner',
    render: m => <EntityRefLink entityRef={m.owner} />,
  },
  {
    title: t('delivery.services'),
    render: m => m.services.length,
    customSort: by(m => m.services.length),
  },
  {
    title: t('delivery.keys.deploymentFrequency'),
    customSort: by(m => m.metrics.current.deploymentFrequency),
    render: m =>
      cell(
        formatFrequency(
          t,
          m.metrics.current.deploymentFrequency,
          m.metrics.current.deployments,
        ),
        m.metrics.current.bands.deploymentFrequency,
        true,
      ),
  },
  {
    title: t('delivery.keys.leadTimeMedian'),
    customSort: by(m => m.metrics.current.leadTime.medianSeconds),
    render: m =>
      cell(
        formatDuration(t, m.metrics.current.leadTime.medianSeconds),
        m.metrics.current.bands.leadTime,
        m.metrics.current.leadTime.medianSeconds !== undefined,
      ),
  },
  {
    title: t('delivery.keys.changeFailRate'),
    customSort: by(m => m.metrics.current.changeFailRate.rate),
    render: m =>
      cell(
        formatRate(t, m.metrics.current.changeFailRate.rate),
        m.metrics.current.bands.changeFailRate,
        m.metrics.current.changeFailRate.rate !== undefined,
      ),
  },
  {
    title: t('delivery.keys.recoveryTimeShort'),
    customSort: by(m => m.metrics.current.recoveryTime.medianSeconds),
    render: m =>
      cell(
        formatDuration(t, m.metrics.current.recoveryTime.medianSeconds),
        m.metrics.current.bands.recoveryTime,
        m.metrics.current.recoveryTime.medianSeconds !== undefined,
      ),
  },
  {
    title: t('delivery.keys.reworkRate'),
    customSort: by(m => m.metrics.current.reworkRate.rate),
    render: m => formatRate(t, m.metrics.current.reworkRate.rate),
  },
];

/** Teams × DORA metrics in the last environment, sortable by each column. */
export function TeamDeliveryTable() {
  const api = useApi(gitopsApiRef);
  const [window, setWindow] = useState<DeliveryMetricsWindow>(30);
  const { t } = useTranslationRef(gitopsTranslationRef);
  const columns = useStableColumns(teamColumns, t);
  const { value, loading, error } = useAsync(
    () => api.getTeamDeliveryMetrics({ window }),
    [api, window],
  );
  if (error) return <ResponseErrorPanel error={error} />;
  const environment = value?.[0]?.metrics.environment;
  return (
    <Table<TeamDeliveryMetrics>
      title={
        environment
          ? t('delivery.teamTitleIn', { environment, days: String(window) })
          : t('delivery.teamTitle')
      }
      isLoading={loading}
      columns={columns}
      data={value ?? []}
      options={{ search: false, paging: false, padding: 'dense' }}
      actions={[
        {
          isFreeAction: true,
          icon: () => <WindowSelect value={window} onChange={setWindow} />,
          tooltip: t('delivery.window'),
          onClick: () => {},
        },
      ]}
    />
  );
}
