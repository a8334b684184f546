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
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { FleetMatrix } from './FleetMatrix';
import { ControllerBanner } from './ControllerBanner';
import { AuditExport } from './AuditExport';
import { ApplicationSetList } from '../ApplicationSets';
import { TeamDeliveryTable } from '../DeliveryPerformance';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Typography from '@material-ui/core/Typography';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import { useEffect, useState } from 'react';
import useDebounce from 'react-use/esm/useDebounce';
import { useSearchParams } from 'react-router-dom';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { GitopsT, gitopsTranslationRef } from '../../translation';
import { gitopsApiRef } from '../../api';
import { useLive } from '../../hooks/useLive';
import { useStableColumns } from '../../hooks/useStableColumns';
import { HealthChip, SyncChip } from '../StatusChips';
import { relativeTime, shortRevision } from '../format';

const fleetColumns = (t: GitopsT): TableColumn<GitopsApplication>[] => [
  {
    title: t('fleet.application'),
    field: 'name',
    render: a => (
      <>
        {a.controllerUrl ? <Link to={a.controllerUrl}>{a.name}</Link> : a.name}
        {a.entityRef && (
          // the service's page in the portal, where its Deployments tab is
          <Typography variant="caption" component="div">
            <EntityRefLink entityRef={a.entityRef} defaultKind="component" />
          </Typography>
        )}
      </>
    ),
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
  const columns = useStableColumns(fleetColumns, t);
  // the filters live in the URL: a filtered fleet can be shared and
  // survives a reload
  const [params, setParams] = useSearchParams();
  const setParam = (key: string) => (value: string) =>
    setParams(
      current => {
        const next = new URLSearchParams(current);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );
  const oneOf = <T extends string>(key: string, allowed: readonly T[]) => {
    const v = params.get(key) ?? '';
    return (allowed as readonly string[]).includes(v) ? (v as T) : '';
  };
  const sync = oneOf<SyncStatus>('sync', SYNC_STATUSES);
  const health = oneOf<HealthStatus>('health', HEALTH_STATUSES);
  const engine = oneOf('engine', ['argocd', 'flux'] as const);
  const environment = params.get('environment') ?? '';
  const owner = params.get('owner') ?? '';
  const service = params.get('service') ?? '';
  const text = params.get('q') ?? '';
  const [setSync, setHealth, setEngine, setEnvironment, setOwner] = [
    'sync',
    'health',
    'engine',
    'environment',
    'owner',
  ].map(setParam);
  const [query, setQuery] = useState(text);
  const [ownerInput, setOwnerInput] = useState(owner);
  // the search asks the backend once typing pauses, not at every key
  useDebounce(() => setParam('q')(query.trim()), 300, [query]);
  useDebounce(() => setOwner(ownerInput.trim()), 300, [ownerInput]);
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
    // the same filters as the list (not the drill-down to one cell)
    () =>
      api.getFleetMatrix({
        syncStatus: sync ? [sync] : undefined,
        healthStatus: health ? [health] : undefined,
        engine: engine ? [engine] : undefined,
        environment: environment && !service ? [environment] : undefined,
        owner: owner || undefined,
        text: text || undefined,
      }),
    [api, sync, health, engine, environment, service, owner, text],
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
            value={ownerInput}
            helperText={t('fleet.ownerHelp')}
            onChange={e => setOwnerInput(e.target.value)}
          />
          <TextField
            size="small"
            id="gitops-fleet-search-input"
            label={t('fleet.search')}
            value={query}
            onChange={e => setQuery(e.target.value)}
          />
          <AuditExport />
        </Box>
        {error ? (
          <ResponseErrorPanel error={error} />
        ) : (
          <>
            <Box mb={2}>
              {matrix.value && matrix.value.rows.length > 0 && (
                <FleetMatrix
                  matrix={matrix.value}
                  onSelect={(s, env) =>
                    setParams(
                      current => {
                        const next = new URLSearchParams(current);
                        next.set('service', s);
                        next.set('environment', env);
                        return next;
                      },
                      { replace: true },
                    )
                  }
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
                  onDelete={() =>
                    setParams(
                      current => {
                        const next = new URLSearchParams(current);
                        next.delete('service');
                        next.delete('environment');
                        return next;
                      },
                      { replace: true },
                    )
                  }
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
