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
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';
import { BandChip } from './BandChip';
import { WindowSelect } from './WindowSelect';
import { formatDuration, formatFrequency, formatRate } from './metricsFormat';

const cell = (text: string, band?: DoraBand) => (
  <Box display="flex" alignItems="center" style={{ gap: 8 }}>
    <span>{text}</span>
    {band !== undefined || text !== '—' ? <BandChip band={band} /> : null}
  </Box>
);

// undefined sorts last whichever way
const by =
  (f: (t: TeamDeliveryMetrics) => number | undefined) =>
  (a: TeamDeliveryMetrics, b: TeamDeliveryMetrics) =>
    (f(a) ?? Number.MAX_VALUE) - (f(b) ?? Number.MAX_VALUE);

const columns: TableColumn<TeamDeliveryMetrics>[] = [
  {
    title: 'Team',
    field: 'owner',
    render: t => <EntityRefLink entityRef={t.owner} />,
  },
  {
    title: 'Services',
    render: t => t.services.length,
    customSort: by(t => t.services.length),
  },
  {
    title: 'Deployment frequency',
    customSort: by(t => t.metrics.current.deploymentFrequency),
    render: t =>
      cell(
        formatFrequency(
          t.metrics.current.deploymentFrequency,
          t.metrics.current.deployments,
        ),
        t.metrics.current.bands.deploymentFrequency,
      ),
  },
  {
    title: 'Lead time (median)',
    customSort: by(t => t.metrics.current.leadTime.medianSeconds),
    render: t =>
      cell(
        formatDuration(t.metrics.current.leadTime.medianSeconds),
        t.metrics.current.bands.leadTime,
      ),
  },
  {
    title: 'Change fail rate',
    customSort: by(t => t.metrics.current.changeFailRate.rate),
    render: t =>
      cell(
        formatRate(t.metrics.current.changeFailRate.rate),
        t.metrics.current.bands.changeFailRate,
      ),
  },
  {
    title: 'Recovery time',
    customSort: by(t => t.metrics.current.recoveryTime.medianSeconds),
    render: t =>
      cell(
        formatDuration(t.metrics.current.recoveryTime.medianSeconds),
        t.metrics.current.bands.recoveryTime,
      ),
  },
  {
    title: 'Rework rate',
    customSort: by(t => t.metrics.current.reworkRate.rate),
    render: t => formatRate(t.metrics.current.reworkRate.rate),
  },
];

/** Teams × DORA metrics in the last environment, sortable by each column. */
export function TeamDeliveryTable() {
  const api = useApi(gitopsApiRef);
  const [window, setWindow] = useState<DeliveryMetricsWindow>(30);
  const { value, loading, error } = useAsync(
    () => api.getTeamDeliveryMetrics({ window }),
    [api, window],
  );
  if (error) return <ResponseErrorPanel error={error} />;
  const environment = value?.[0]?.metrics.environment;
  return (
    <Table<TeamDeliveryMetrics>
      title={`Delivery performance by team${
        environment ? ` (${environment}, ${window} days)` : ''
      }`}
      isLoading={loading}
      columns={columns}
      data={value ?? []}
      options={{ search: false, paging: false, padding: 'dense' }}
      actions={[
        {
          isFreeAction: true,
          icon: () => <WindowSelect value={window} onChange={setWindow} />,
          tooltip: 'Window',
          onClick: () => {},
        },
      ]}
    />
  );
}
