import {
  Content,
  Header,
  Link,
  Page,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  GitopsApplication,
  HEALTH_STATUSES,
  HealthStatus,
  SYNC_STATUSES,
  SyncStatus,
  sortEnvironments,
} from '@gitops-portal/plugin-gitops-common';
import { FleetMatrix } from './FleetMatrix';
import { ControllerBanner } from './ControllerBanner';
import { TeamDeliveryTable } from '../DeliveryPerformance';
import Box from '@material-ui/core/Box';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useState } from 'react';
import { gitopsApiRef } from '../../api';
import { usePolling } from '../../hooks/usePolling';
import { HealthChip, SyncChip } from '../StatusChips';
import { relativeTime, shortRevision } from '../format';

const columns: TableColumn<GitopsApplication>[] = [
  {
    title: 'Application',
    field: 'name',
    render: a =>
      a.controllerUrl ? <Link to={a.controllerUrl}>{a.name}</Link> : a.name,
  },
  { title: 'Environment', field: 'environment' },
  { title: 'Engine', field: 'engine' },
  { title: 'Instance', field: 'instance' },
  { title: 'Namespace', field: 'namespace' },
  { title: 'Sync', render: a => <SyncChip status={a.syncStatus} /> },
  { title: 'Health', render: a => <HealthChip status={a.healthStatus} /> },
  {
    title: 'Revision',
    render: a => a.revisions.map(shortRevision).join(', ') || '—',
  },
  {
    title: 'Last sync',
    render: a => (a.stale ? 'stale' : relativeTime(a.lastSyncedAt)),
  },
];

function Select<T extends string>(props: {
  label: string;
  value: T | '';
  options: readonly T[];
  onChange: (v: T | '') => void;
}) {
  return (
    <TextField
      select
      id={`gitops-fleet-${props.label.toLocaleLowerCase('en-US')}`}
      size="small"
      label={props.label}
      value={props.value}
      style={{ minWidth: 140 }}
      onChange={e => props.onChange(e.target.value as T | '')}
    >
      <MenuItem value="">All</MenuItem>
      {props.options.map(o => (
        <MenuItem key={o} value={o}>
          {o}
        </MenuItem>
      ))}
    </TextField>
  );
}

/**
 * Every application in the fleet, failing first, with filters.
 *
 * @public
 */
export function FleetPage() {
  const api = useApi(gitopsApiRef);
  const [sync, setSync] = useState<SyncStatus | ''>('');
  const [health, setHealth] = useState<HealthStatus | ''>('');
  const [engine, setEngine] = useState<'argocd' | 'flux' | ''>('');
  const [environment, setEnvironment] = useState('');
  const [owner, setOwner] = useState('');
  const [text, setText] = useState('');
  const { value, error, loading } = usePolling(
    () =>
      api.getFleet({
        syncStatus: sync ? [sync] : undefined,
        healthStatus: health ? [health] : undefined,
        engine: engine ? [engine] : undefined,
        environment: environment ? [environment] : undefined,
        owner: owner || undefined,
        text: text || undefined,
        limit: 500,
      }),
    [api, sync, health, engine, environment, owner, text],
  );
  return (
    <Page themeId="tool">
      <Header
        title="GitOps fleet"
        subtitle="Every application, failing first"
      />
      <Content>
        <ControllerBanner />
        <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mb={2}>
          <Select
            label="Sync"
            value={sync}
            options={SYNC_STATUSES}
            onChange={setSync}
          />
          <Select
            label="Health"
            value={health}
            options={HEALTH_STATUSES}
            onChange={setHealth}
          />
          <Select
            label="Engine"
            value={engine}
            options={['argocd', 'flux'] as const}
            onChange={setEngine}
          />
          <TextField
            size="small"
            id="gitops-fleet-environment-input"
            label="Environment"
            value={environment}
            onChange={e => setEnvironment(e.target.value)}
          />
          <TextField
            size="small"
            id="gitops-fleet-owner-input"
            label="Owner"
            placeholder="group:default/team-a"
            value={owner}
            onChange={e => setOwner(e.target.value)}
          />
          <TextField
            size="small"
            id="gitops-fleet-search-input"
            label="Search"
            value={text}
            onChange={e => setText(e.target.value)}
          />
        </Box>
        {error ? (
          <ResponseErrorPanel error={error} />
        ) : (
          <>
            <Box mb={2}>
              <FleetMatrix
                applications={value?.items ?? []}
                environments={sortEnvironments(
                  [...new Set((value?.items ?? []).map(a => a.environment))],
                  ['dev', 'staging', 'prod'],
                )}
              />
            </Box>
            <Table<GitopsApplication>
              title={`Applications (${value?.totalCount ?? 0})`}
              isLoading={loading && !value}
              columns={columns}
              data={value?.items ?? []}
              options={{ search: false, pageSize: 20, padding: 'dense' }}
            />
            <Box mt={2}>
              <TeamDeliveryTable />
            </Box>
          </>
        )}
      </Content>
    </Page>
  );
}
