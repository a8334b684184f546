import {
  Link,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  DeploymentChanges,
  GitopsDeployment,
} from '@gitops-portal/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  ReactNode,
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import Chip from '@material-ui/core/Chip';
import useMediaQuery from '@material-ui/core/useMediaQuery';
import { useTheme } from '@material-ui/core/styles';
import { EntityRefParts, gitopsApiRef } from '../../api';
import { relativeTime, shortRevision } from '../format';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { GitopsT, gitopsTranslationRef } from '../../translation';
import { useStableColumns } from '../../hooks/useStableColumns';

const PAGE_SIZE = 20;

function duration(d: GitopsDeployment, t: GitopsT): string {
  if (!d.startedAt) return t('common.none');
  const ms = Date.parse(d.finishedAt) - Date.parse(d.startedAt);
  return ms >= 0
    ? t('history.seconds', { seconds: String(Math.round(ms / 1000)) })
    : t('common.none');
}

/**
 * What a deployment was and brought: its kind, as the backend classified it
 * from the application's stored history (a self-heal, a redeploy, a
 * rollback), else the commits it brought: "3 commits, oldest 2 days ago".
 */
export function broughtText(
  t: GitopsT,
  changes: DeploymentChanges | undefined,
  deployment: Pick<GitopsDeployment, 'kind'>,
): string {
  switch (deployment.kind) {
    case 'self-heal':
      return t('history.selfHeal');
    case 'redeploy':
      return t('history.redeploy');
    case 'rollback':
      return t('history.rollbackToOlder');
    default:
  }
  if (!changes || changes.count === 0) return '';
  return changes.count > 1 && changes.oldestCommittedAt
    ? t('history.commitsOldest', {
        count: changes.count,
        time: relativeTime(changes.oldestCommittedAt),
      })
    : t('history.commits', { count: changes.count });
}

function proposalLabel(
  t: GitopsT,
  proposal: NonNullable<GitopsDeployment['proposal']>,
): string {
  const what = t(
    proposal.action === 'promote' ? 'changes.promotion' : 'changes.rollback',
  );
  return proposal.createdBy
    ? t('changes.byUser', {
        what,
        user: proposal.createdBy.replace(/^user:([^/]+\/)?/, ''),
      })
    : what;
}

/**
 * How much room the history has: `wide` shows every column; `medium` (a
 * laptop) leaves out the author and the duration; `narrow` (a phone) keeps
 * time, environment and result in one column, the revision and the
 * actions.
 */
type HistoryWidth = 'wide' | 'medium' | 'narrow';

const allHistoryColumns = (
  t: GitopsT,
  width: HistoryWidth,
): Array<TableColumn<GitopsDeployment> & { id: string }> => [
  {
    id: 'time',
    title: t('history.time'),
    field: 'finishedAt',
    render: d => (
      <>
        <span title={d.finishedAt}>{relativeTime(d.finishedAt)}</span>
        {width === 'narrow' && (
          <Typography variant="body2" color="textSecondary">
            {d.environment} · {d.result}
          </Typography>
        )}
      </>
    ),
  },
  { id: 'environment', title: t('common.environment'), field: 'environment' },
  {
    id: 'revision',
    title: t('history.revision'),
    render: d => (
      <>
        {d.commit?.url ? (
          <Link to={d.commit.url}>{shortRevision(d.revisions[0])}</Link>
        ) : (
          d.revisions.map(shortRevision).join(', ') || t('common.none')
        )}
        {d.commit && (
          <Typography variant="body2" color="textSecondary">
            {d.commit.message.split('\n')[0]}
          </Typography>
        )}
        {broughtText(t, d.changes, d) && (
          <Typography
            variant="caption"
            color="textSecondary"
            data-testid="deployment-kind"
            data-kind={d.kind}
          >
            {broughtText(t, d.changes, d)}
          </Typography>
        )}
      </>
    ),
  },
  {
    id: 'author',
    title: t('history.author'),
    render: d => d.commit?.authorName ?? t('common.none'),
  },
  { id: 'result', title: t('history.result'), field: 'result' },
  { id: 'duration', title: t('history.duration'), render: d => duration(d, t) },
  {
    id: 'initiatedBy',
    title: t('history.initiatedBy'),
    render: d => (
      <>
        {d.initiatedBy ?? t('common.none')}
        {d.proposal && (
          <div>
            <Chip
              size="small"
              data-testid="proposal-chip"
              label={proposalLabel(t, d.proposal)}
            />{' '}
            {d.proposal.url ? (
              <Link to={d.proposal.url}>
                {d.proposal.pullRequestNumber
                  ? t('changes.pullRequest', {
                      number: String(d.proposal.pullRequestNumber),
                    })
                  : t('changes.change')}
              </Link>
            ) : (
              // a plain Git server has no page for it: the branch by name
              d.proposal.branch && (
                <Typography variant="caption" data-testid="proposal-branch">
                  {t('changes.onBranch', {
                    branch: <code>{d.proposal.branch}</code>,
                  })}
                </Typography>
              )
            )}
          </div>
        )}
      </>
    ),
  },
];

const historyColumns = ({
  t,
  width,
}: {
  t: GitopsT;
  width: HistoryWidth;
}): TableColumn<GitopsDeployment>[] =>
  allHistoryColumns(t, width).filter(
    c =>
      width === 'wide' ||
      (width === 'medium' && !['author', 'duration'].includes(c.id)) ||
      (width === 'narrow' && ['time', 'revision'].includes(c.id)),
  );

/**
 * Deployment history of an entity, fetched a page at a time from the backend.
 *
 * @public
 */
export function DeploymentHistory(props: {
  entity: EntityRefParts;
  environments: string[];
  /** Changes when the history may have (a new deployment, a change announced); the first page then reloads. */
  latestDeployment?: string;
  /** Actions on a row (roll back to it). */
  renderActions?: (deployment: GitopsDeployment) => ReactNode;
}) {
  const api = useApi(gitopsApiRef);
  const [environment, setEnvironment] = useState('');
  const [pages, setPages] = useState<GitopsDeployment[][]>([]);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState(0);
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(false);
  const { kind, namespace, name } = props.entity;
  const { t } = useTranslationRef(gitopsTranslationRef);
  // the actions column calls the latest renderActions: the columns stay
  // the same objects while the parent re-renders
  const renderActions = useRef(props.renderActions);
  renderActions.current = props.renderActions;
  const hasActions = Boolean(props.renderActions);
  const theme = useTheme();
  const narrow = useMediaQuery(theme.breakpoints.down('xs'));
  const medium = useMediaQuery(theme.breakpoints.down('md'));
  let width: HistoryWidth = 'wide';
  if (narrow) width = 'narrow';
  else if (medium) width = 'medium';
  const base = useStableColumns(historyColumns, { t, width });
  const columns = useMemo(
    () =>
      hasActions
        ? [
            ...base,
            {
              title: '',
              render: (d: GitopsDeployment) => renderActions.current?.(d),
            },
          ]
        : base,
    [base, hasActions],
  );

  const load = useCallback(
    async (index: number, cursor?: string) => {
      setLoading(true);
      try {
        const result = await api.getEntityHistory(
          { kind, namespace, name },
          {
            limit: PAGE_SIZE,
            cursor,
            environment: environment ? [environment] : undefined,
          },
        );
        setPages(p => {
          const next = p.slice(0, index);
          next[index] = result.items;
          return next;
        });
        setCursors(c => {
          const next = c.slice(0, index + 1);
          next[index + 1] = result.nextCursor;
          return next;
        });
        setPage(index);
        setError(undefined);
      } catch (e) {
        setError(e as Error);
      } finally {
        setLoading(false);
      }
    },
    [api, kind, namespace, name, environment],
  );

  useEffect(() => {
    load(0);
  }, [load]);

  // a new deployment: show it, unless the reader is on an older page
  const pageRef = useRef(page);
  pageRef.current = page;
  const seen = useRef(props.latestDeployment);
  useEffect(() => {
    if (props.latestDeployment === seen.current) return;
    seen.current = props.latestDeployment;
    if (pageRef.current === 0) load(0);
  }, [props.latestDeployment, load]);

  if (error) return <ResponseErrorPanel error={error} />;
  const rows = pages[page] ?? [];
  return (
    <div>
      <Box display="flex" alignItems="center" mb={1} style={{ gap: 8 }}>
        <TextField
          select
          size="small"
          label={t('common.environment')}
          value={environment}
          style={{ minWidth: 160, marginRight: 16 }}
          onChange={e => setEnvironment(e.target.value)}
        >
          <MenuItem value="">{t('common.all')}</MenuItem>
          {props.environments.map(env => (
            <MenuItem key={env} value={env}>
              {env}
            </MenuItem>
          ))}
        </TextField>
        <Button
          size="small"
          disabled={page === 0 || loading}
          onClick={() => load(page - 1, cursors[page - 1])}
        >
          {t('history.newer')}
        </Button>
        <span>{t('history.page', { page: String(page + 1) })}</span>
        <Button
          size="small"
          disabled={!cursors[page + 1] || loading}
          onClick={() => load(page + 1, cursors[page + 1])}
        >
          {t('history.older')}
        </Button>
      </Box>
      <Table<GitopsDeployment>
        title={t('history.title')}
        isLoading={loading}
        columns={columns}
        data={rows}
        options={{
          paging: false,
          search: false,
          padding: 'dense',
        }}
        actions={[]}
        emptyContent={<div style={{ padding: 16 }}>{t('history.empty')}</div>}
      />
    </div>
  );
}
