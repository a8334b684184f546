import type { EntityDeploymentsResponse } from '@gitops-portal/plugin-gitops-common';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  GitopsApplication,
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
import { GitopsT, gitopsTranslationRef } from '../../translation';

const commitLine = (message?: string) =>
  message ? ` ${message.split('\n')[0]}` : '';

const noApplicationYet = (v?: EntityDeploymentsResponse) =>
  Boolean(v && v.environments.length === 0);

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
    {
      channel: gitopsEntityChannel(stringifyEntityRef(entity)),
      // no application yet: nothing can be told on the channel
      pollWhile: noApplicationYet,
    },
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
      const stale = env.applications.some(a => a.stale);
      return (
        <Box key={env.environment} mb={1}>
          <Box
            display="flex"
            alignItems="center"
            flexWrap="wrap"
            style={{ gap: 8 }}
          >
            <Typography style={{ minWidth: 80 }}>
              <b>{env.environment}</b>
            </Typography>
            <SyncChip status={env.syncStatus} stale={stale} />
            <HealthChip status={env.healthStatus} stale={stale} />
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
          {app && (
            <Typography
              variant="caption"
              color="textSecondary"
              component="div"
              data-testid="source-and-policy"
              style={{ marginLeft: 88 }}
            >
              {[sourceText(app, t), policyText(app, t)]
                .filter(Boolean)
                .join(' · ')}
            </Typography>
          )}
        </Box>
      );
    });
  }
  return <InfoCard title={t('card.title')}>{body}</InfoCard>;
}

/** Where the application's manifests come from: repository, path, target. */
function sourceText(app: GitopsApplication, t: GitopsT): string | undefined {
  const source = app.sources[0];
  if (!source?.repoUrl) return undefined;
  const repo = source.repoUrl
    .replace(/^[a-z+]+:\/\//, '')
    .replace(/\.git$/, '');
  return t('card.source', {
    repo,
    path: source.chart
      ? ` ${source.chart}`
      : (source.path && ` ${source.path}`) || '',
    target: source.targetRevision ?? 'HEAD',
  });
}

/** How the controller keeps it in sync: what Argo CD UI users look for. */
function policyText(app: GitopsApplication, t: GitopsT): string | undefined {
  const policy = app.syncPolicy;
  if (!policy) return undefined;
  if (!policy.automated)
    return app.engine === 'flux'
      ? t('card.policySuspended')
      : t('card.policyManual');
  return [
    t('card.policyAuto'),
    policy.selfHeal && t('card.policySelfHeal'),
    policy.prune && t('card.policyPrune'),
    policy.interval && t('card.policyEvery', { interval: policy.interval }),
  ]
    .filter(Boolean)
    .join(', ');
}
