import { InfoCard, Link, Table, TableColumn } from '@backstage/core-components';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { DeployedApplication } from '@gitops-portal/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { gitopsTranslationRef } from '../../translation';
import { relativeTime, shortRevision } from '../format';
import { HealthChip, SyncChip } from '../StatusChips';

/**
 * The entity's pull-request previews: each open pull request's preview,
 * its status, where it is served and how old it is. Previews are not
 * environments: they are not promoted to or from, nor measured.
 */
export function PreviewList(props: { previews: DeployedApplication[] }) {
  const { t } = useTranslationRef(gitopsTranslationRef);
  const columns: TableColumn<DeployedApplication>[] = [
    {
      title: t('previews.pullRequest'),
      render: a => {
        const pr = a.preview!.pullRequest;
        const label = `#${pr.number}`;
        return (
          <Box>
            {pr.url ? <Link to={pr.url}>{label}</Link> : label} {pr.title ?? ''}
          </Box>
        );
      },
    },
    {
      title: t('previews.author'),
      render: a => a.preview!.pullRequest.author ?? '',
    },
    {
      title: t('previews.status'),
      render: a => (
        <Box display="flex" style={{ gap: 4 }}>
          <SyncChip status={a.syncStatus} stale={a.stale} />
          <HealthChip status={a.healthStatus} stale={a.stale} />
        </Box>
      ),
    },
    {
      title: t('previews.revision'),
      render: a =>
        a.revisions[0] ? (
          <Typography variant="body2" title={a.revisions[0]}>
            {shortRevision(a.revisions[0])}
          </Typography>
        ) : (
          ''
        ),
    },
    {
      title: t('previews.url'),
      render: a =>
        a.preview!.url ? <Link to={a.preview!.url}>{a.preview!.url}</Link> : '',
    },
    {
      title: t('previews.age'),
      render: a => {
        const since = a.preview!.createdAt ?? a.lastSyncedAt;
        return since ? relativeTime(since) : '';
      },
    },
  ];
  return (
    <InfoCard title={t('previews.title')} subheader={t('previews.subheader')}>
      <div aria-label={t('previews.aria')}>
        <Table<DeployedApplication>
          options={{
            paging: false,
            search: false,
            toolbar: false,
            padding: 'dense',
          }}
          columns={columns}
          data={props.previews.filter(a => a.preview)}
        />
      </div>
    </InfoCard>
  );
}
