import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  gitopsEntityChannel,
  isGitopsAvailable,
} from '@gitops-portal/plugin-gitops-common';
import { stringifyEntityRef } from '@backstage/catalog-model';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { gitopsApiRef } from '../../api';
import { useLive } from '../../hooks/useLive';
import { HealthChip, SyncChip } from '../StatusChips';
import { relativeTime, shortRevision } from '../format';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { gitopsTranslationRef } from '../../translation';

const commitLine = (message?: string) =>
  message ? ` ${message.split('\n')[0]}` : '';

/**
 * Overview card: one line per environment with its status and deployed revision.
 *
 * @public
 */
export function EntityGitopsCard() {
  const { entity } = useEntity();
  const api = useApi(gitopsApiRef);
  const { t } = useTranslationRef(gitopsTranslationRef);
  const available = isGitopsAvailable(entity);
  const { value, error } = useLive(
    async () =>
      available
        ? api.getEntityDeployments({
            kind: entity.kind,
            namespace: entity.metadata.namespace,
            name: entity.metadata.name,
          })
        : undefined,
    [api, available, entity],
    { channel: gitopsEntityChannel(stringifyEntityRef(entity)) },
  );
  let body;
  if (!available) {
    body = <Typography>{t('card.noAnnotations')}</Typography>;
  } else if (error && !value) {
    body = <ResponseErrorPanel error={error} />;
  } else if (!value) {
    body = <Progress />;
  } else if (value.environments.length === 0) {
    body = <Typography>{t('card.noDeployments')}</Typography>;
  } else {
    body = value.environments.map(env => {
      const app = env.applications[0];
      return (
        <Box
          key={env.environment}
          display="flex"
          alignItems="center"
          style={{ gap: 8 }}
          mb={1}
        >
          <Typography style={{ minWidth: 80 }}>
            <b>{env.environment}</b>
          </Typography>
          <SyncChip
            status={env.syncStatus}
            stale={env.applications.some(a => a.stale)}
          />
          <HealthChip
            status={env.healthStatus}
            stale={env.applications.some(a => a.stale)}
          />
          <Typography variant="body2" color="textSecondary">
            {env.summary?.revisions[0]
              ? t('fleet.cellRevision', {
                  revision: shortRevision(env.summary.revisions[0].revision),
                  on: env.summary.revisions[0].count.toLocaleString('en-US'),
                  total: env.summary.total.toLocaleString('en-US'),
                })
              : app?.revisions.map(shortRevision).join(', ')}
            {commitLine(app?.git?.find(g => g.commit)?.commit?.message)} ·{' '}
            {relativeTime(app?.lastSyncedAt)}
          </Typography>
        </Box>
      );
    });
  }
  return <InfoCard title={t('card.title')}>{body}</InfoCard>;
}
