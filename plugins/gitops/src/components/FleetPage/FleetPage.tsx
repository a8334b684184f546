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
  GITOPS_FLEET_CHANNEL,
  GitopsApplication,
  HEALTH_STATUSES,
  HealthStatus,
  SYNC_STATUSES,
  SyncStatus,
} from '@gitops-portal/plugin-gitops-common';
import { FleetMatrix } from './FleetMatrix';
import { ControllerBanner } from './ControllerBanner';
import { ApplicationSetList } from '../ApplicationSets';
import { TeamDeliveryTable } from '../DeliveryPerformance';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useEffect, useMemo, useState } from 'react';
import useDebounce from 'react-use/esm/useDebounce';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { GitopsT, gitopsTranslationRef } from '../../translation';
import { gitopsApiRef } from '../../api';
import { useLive } from '../../hooks/useLive';
import { HealthChip, SyncChip } from '../StatusChips';
import { relativeTime, shortRevision } from '../format';

const fleetColumns = (t: GitopsT): TableColumn<GitopsApplication>[] => [
  {
    title: t('fleet.application'),
    field: 'name',
    render: a =>
      a.controllerUrl ? <Link to={a.controllerUrl}>{a.name}</Link> : a.name,
  },
  { title: t('common.environment'), field: 'environment' },
  {
    title: t('applicationSets.column'),
    field: 'applicationSet',
    render: a => a.applicationSet ?? '',
  },
  { title: t('fleet.engine'), field: 'engine' },
  { title: t('fleet.instance'), field: 'instance' },
  { title: t('fleet.namespace'), field: 'namespace' },
  {
    title: t('fleet.sync'),
    render: a => <SyncChip status={a.syncStatus} stale={a.stale} />,
  },
  {
    title: t('fleet.health'),
    render: a => <HealthChip status={a.healthStatus} stale={a.stale} />,
  },
  {
    title: t('fleet.revision'),
    render: a => a.revisions.map(shortRevision).join(', ') || t('common.none'),
  },
  {
    title: t('fleet.lastSync'),
    render: a => (a.stale ? t('fleet.stale') : relativeTime(a.lastSyncedAt)),
  },
];

function Select<T extends string>(props: {
  /** Names the field's id; the label may be translated. */
  name: string;
  label: string;
  value: T | '';
  options: readonly T[];
  onChange: (v: T | '') => void;
}) {
  const { t } = useTranslationRef(gitopsTranslationRef);
  const allLabel = t('common.all');
  return (
    <TextField
      select
      id={`gitops-fleet-${props.name}`}
      size="small"
      label={props.label}
      value={props.value}
      style={{ minWidth: 140 }}
      onChange={e => props.onChange(e.target.value as T | '')}
    >
      <MenuItem value="">{allLabel}</MenuItem>
      {props.options.map(o => (
        <MenuItem key={o} value={o}>
          {o}
        </MenuItem>
      ))}
    </TextField>
  );
}

/** Applications per page of the fleet table. */
const PAGE_SIZE = 100;

/**
 * Every application in the fleet, failing first, with filters.
 *
 * @public
 */
export function FleetPage() {
  const api = useApi(gitopsApiRef);
  const { t } = useTranslationRef(gitopsTranslationRef);
  const columns = useMemo(() => fleetColumns(t), [t]);
  const [sync, setSync] = useState<SyncStatus | ''>('');
  const [health, setHealth] = useState<HealthStatus | ''>('');
  const [engine, setEngine] = useState<'argocd' | 'flux' | ''>('');
  const [environment, setEnvironment] = useState('');
  const [owner, setOwner] = useState('');
  const [service, setService] = useState('');
  const [query, setQuery] = useState('');
  const [text, setText] = useState('');
  // the search asks the backend once typing pauses, not at every key
  useDebounce(() => setText(query.trim()), 300, [query]);
  // server-side pages: the cursors of the pages before this one
  const [cursors, setCursors] = useState<string[]>([]);
  useEffect(
    () => setCursors([]),
    [sync, health, engine, environment, owner, text, service],
  );
  const cursor = cursors[cursors.length - 1];
  const { value, error, loading } = useLive(
    () =>
      api.getFleet({
        syncStatus: sync ? [sync] : undefined,
        healthStatus: health ? [health] : undefined,
        engine: engine ? [engine] : undefined,
        environment: environment ? [environment] : undefined,
        owner: owner || undefined,
        text: text || undefined,
        service: service || undefined,
        limit: PAGE_SIZE,
        cursor,
      }),
    [api, sync, health, engine, environment, owner, text, service, cursor],
    { channel: GITOPS_FLEET_CHANNEL },
  );
  const matrix = useLive(
    () => api.getFleetMatrix({ engine: engine ? [engine] : undefined }),
    [api, engine],
    { channel: GITOPS_FLEET_CHANNEL },
  );
  const applicationSets = useLive(() => api.getApplicationSets(), [api], {
    channel: GITOPS_FLEET_CHANNEL,
  });
  return (
    <Page themeId="tool">
      <Header title={t('fleet.title')} subtitle={t('fleet.subtitle')} />
      <Content>
        <ControllerBanner />
        <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mb={2}>
          <Select
            name="sync"
            label={t('fleet.sync')}
            value={sync}
            options={SYNC_STATUSES}
            onChange={setSync}
          />
          <Select
            name="health"
            label={t('fleet.health')}
            value={health}
            options={HEALTH_STATUSES}
            onChange={setHealth}
          />
          <Select
            name="engine"
            label={t('fleet.engine')}
            value={engine}
            options={['argocd', 'flux'] as const}
            onChange={setEngine}
          />
          <TextField
            size="small"
            id="gitops-fleet-environment-input"
            label={t('common.environment')}
            value={environment}
            onChange={e => setEnvironment(e.target.value)}
          />
          <TextField
            size="small"
            id="gitops-fleet-owner-input"
            label={t('fleet.owner')}
            placeholder="group:default/team-a"
            value={owner}
            onChange={e => setOwner(e.target.value)}
          />
          <TextField
            size="small"
            id="gitops-fleet-search-input"
            label={t('fleet.search')}
            value={query}
            onChange={e => setQuery(e.target.value)}
          />
        </Box>
        {error ? (
          <ResponseErrorPanel error={error} />
        ) : (
          <>
            <Box mb={2}>
              {matrix.value && matrix.value.rows.length > 0 && (
                <FleetMatrix
                  matrix={matrix.value}
                  onSelect={(s, env) => {
                    setService(s);
                    setEnvironment(env);
                  }}
                />
              )}
            </Box>
            {service && (
              <Box display="flex" alignItems="center" style={{ gap: 8 }} mb={1}>
                <Chip
                  label={t('fleet.drillDown', {
                    service,
                    environment: environment || t('common.none'),
                  })}
                  onDelete={() => {
                    setService('');
                    setEnvironment('');
                  }}
                />
              </Box>
            )}
            <Table<GitopsApplication>
              title={t('fleet.applications', {
                total: String(value?.totalCount ?? 0),
              })}
              isLoading={loading && !value}
              columns={columns}
              data={value?.items ?? []}
              options={{ search: false, paging: false, padding: 'dense' }}
            />
            <Box
              display="flex"
              alignItems="center"
              justifyContent="flex-end"
              style={{ gap: 8 }}
              mt={1}
            >
              <Button
                size="small"
                disabled={cursors.length === 0}
                onClick={() => setCursors(c => c.slice(0, -1))}
              >
                {t('fleet.previousPage')}
              </Button>
              <Typography variant="body2">
                {t('fleet.page', { page: String(cursors.length + 1) })}
              </Typography>
              <Button
                size="small"
                disabled={!value?.nextCursor}
                onClick={() =>
                  value?.nextCursor &&
                  setCursors(c => [...c, value.nextCursor!])
                }
              >
                {t('fleet.nextPage')}
              </Button>
            </Box>
            {applicationSets.value && applicationSets.value.length > 0 && (
              <Box mt={2}>
                <ApplicationSetList sets={applicationSets.value} />
              </Box>
            )}
            <Box mt={2}>
              <TeamDeliveryTable />
            </Box>
          </>
        )}
      </Content>
    </Page>
  );
}
