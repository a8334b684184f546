import { InfoCard, Link } from '@backstage/core-components';
import { ReactNode } from 'react';
import {
  ApplicationRollout,
  DeployedApplication,
  EnvironmentDeployments,
  EnvironmentSummary,
} from '@gitops-portal/plugin-gitops-common';
import { CommitInfo } from '../CommitInfo';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import { HealthChip, SyncChip } from '../StatusChips';
import { relativeTime, shortRevision } from '../format';
import { ApplicationActions } from './ApplicationActions';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { gitopsTranslationRef } from '../../translation';

/** A Rollout's strategy and progress: canary step and weight, or blue-green. */
function RolloutLine(props: { rollout: ApplicationRollout }) {
  const { rollout: r } = props;
  const { t } = useTranslationRef(gitopsTranslationRef);
  const short = (hash?: string) => hash?.slice(0, 7) ?? t('common.none');
  let text: string;
  if (r.strategy === 'blueGreen') {
    text = t('rollout.blueGreen', {
      name: r.name,
      active: short(r.activeSelector),
      preview: short(r.previewSelector),
    });
  } else if (r.steps !== undefined && (r.step ?? 0) >= r.steps) {
    text = t('rollout.canaryDone', { name: r.name });
  } else {
    text = t('rollout.canary', {
      name: r.name,
      step: String(r.step ?? 0),
      steps: String(r.steps ?? 0),
      weight: String(r.weight ?? 0),
    });
  }
  const states = [
    r.paused ? t('rollout.paused') : undefined,
    r.aborted ? t('rollout.aborted') : undefined,
  ].filter(Boolean);
  return (
    <Box mt={0.5} aria-label={t('rollout.aria', { name: r.name })}>
      <Typography variant="body2" color={r.aborted ? 'error' : 'textPrimary'}>
        {text}
        {states.length ? ` · ${states.join(', ')}` : ''}
        {r.message ? ` (${r.message})` : ''}
      </Typography>
      {r.strategy === 'canary' && r.weight !== undefined && (
        <LinearProgress
          variant="determinate"
          value={r.weight}
          color={r.aborted ? 'secondary' : 'primary'}
          aria-label={t('rollout.weightAria', { weight: String(r.weight) })}
          style={{ maxWidth: 320, marginTop: 4 }}
        />
      )}
    </Box>
  );
}

function ApplicationRow(props: {
  app: DeployedApplication;
  onChange: () => void;
}) {
  const { app } = props;
  const { t } = useTranslationRef(gitopsTranslationRef);
  return (
    <Box mb={2} data-testid={`app-${app.id}`}>
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        style={{ gap: 8 }}
      >
        <Typography variant="subtitle1">
          {app.controllerUrl ? (
            <Link to={app.controllerUrl}>{app.name}</Link>
          ) : (
            app.name
          )}
        </Typography>
        <Typography variant="body2" color="textSecondary">
          {t(`environmentCard.engine.${app.engine}`)}
          {app.engine === 'flux' ? ` ${app.kind}` : ''} · {app.instance} ·{' '}
          {app.namespace}
          {app.applicationSet
            ? ` · ${t('applicationSets.generatedBy', {
                name: app.applicationSet,
              })}`
            : ''}
        </Typography>
        <SyncChip status={app.syncStatus} stale={app.stale} />
        <HealthChip status={app.healthStatus} stale={app.stale} />
        {app.syncStatus === 'OutOfSync' && app.outOfSyncSince && (
          <Typography variant="body2" color="textSecondary">
            {t('environmentCard.outOfSyncSince', {
              time: relativeTime(app.outOfSyncSince),
            })}
          </Typography>
        )}
        {app.stale && (
          <Chip
            size="small"
            variant="outlined"
            label={t('environmentCard.staleSince', {
              time: relativeTime(app.lastReadAt),
            })}
          />
        )}
      </Box>
      <Typography variant="body2">
        {t('environmentCard.deployed', {
          revisions: app.revisions.length
            ? app.revisions.map(shortRevision).join(', ')
            : t('common.unknown'),
        })}
        {app.sources.some(s => s.chart) &&
          ` ${t('environmentCard.chart', {
            charts: app.sources
              .filter(s => s.chart)
              .map(s => s.chart)
              .join(', '),
          })}`}{' '}
        ·{' '}
        {t('environmentCard.lastSync', {
          time: relativeTime(app.lastSyncedAt),
        })}{' '}
        ·{' '}
        {t('environmentCard.read', {
          time: (
            <span title={app.lastReadAt}>{relativeTime(app.lastReadAt)}</span>
          ),
        })}
      </Typography>
      {app.hydration && (
        <Typography
          variant="body2"
          color={app.hydration.phase === 'Failed' ? 'error' : 'textSecondary'}
        >
          {app.hydration.targetBranch
            ? t('environmentCard.hydratedInto', {
                branch: app.hydration.targetBranch,
              })
            : t('environmentCard.hydratedIntoSyncBranch')}
          {app.hydration.hydratedRevision
            ? ` ${t('environmentCard.hydratedAt', {
                revision: shortRevision(app.hydration.hydratedRevision),
              })}`
            : ''}
          {app.hydration.phase === 'Failed'
            ? ` · ${t('environmentCard.hydrationFailed', {
                message: app.hydration.message ?? t('common.unknown'),
              })}`
            : ''}
          {app.hydration.phase === 'Hydrating'
            ? ` · ${t('environmentCard.hydrating')}`
            : ''}
        </Typography>
      )}
      {app.git?.map(g => (
        <CommitInfo key={g.repoUrl} git={g} />
      ))}
      {app.attemptedRevisions && (
        <Typography variant="body2" color="error">
          {t('environmentCard.attempted', {
            revisions: app.attemptedRevisions.map(shortRevision).join(', '),
            phase: app.operationPhase ?? t('environmentCard.failed'),
          })}
        </Typography>
      )}
      {app.message && app.healthStatus !== 'Healthy' && (
        <Typography
          variant="body2"
          color={
            app.healthStatus === 'Degraded' || app.healthStatus === 'Missing'
              ? 'error'
              : 'textSecondary'
          }
        >
          {app.message}
        </Typography>
      )}
      {app.images && app.images.length > 0 && (
        <Box
          mt={0.5}
          display="flex"
          flexWrap="wrap"
          alignItems="center"
          style={{ gap: 4 }}
          aria-label={t('environmentCard.imagesAria', { name: app.name })}
        >
          <Typography variant="body2" color="textSecondary">
            {t('environmentCard.images')}
          </Typography>
          {app.images.map(image => (
            <Chip key={image} size="small" variant="outlined" label={image} />
          ))}
        </Box>
      )}
      {app.resources && app.resources.length > 0 && (
        <Box
          mt={0.5}
          aria-label={t('environmentCard.resourcesAria', { name: app.name })}
        >
          <Typography variant="body2" color="textSecondary">
            {t('environmentCard.resources', {
              shown: String(app.resources.length),
              total: String(app.resourceCount ?? '?'),
            })}
          </Typography>
          {app.resources.map(r => (
            <Typography
              key={`${r.group}/${r.kind}/${r.namespace}/${r.name}`}
              variant="body2"
              style={{ paddingLeft: 8 }}
            >
              {r.kind} {r.namespace ? `${r.namespace}/` : ''}
              {r.name}:{' '}
              {[
                r.syncStatus === 'OutOfSync' ? 'OutOfSync' : undefined,
                r.healthStatus && r.healthStatus !== 'Healthy'
                  ? r.healthStatus
                  : undefined,
              ]
                .filter(Boolean)
                .join(', ')}
              {r.message ? ` — ${r.message}` : ''}
            </Typography>
          ))}
        </Box>
      )}
      {app.rollouts?.map(r => (
        <RolloutLine key={`${r.namespace}/${r.name}`} rollout={r} />
      ))}
      <Box mt={1}>
        <ApplicationActions app={app} onDone={props.onChange} />
      </Box>
    </Box>
  );
}

/**
 * Counts over an environment with more applications than are listed (a
 * service on many clusters): the revisions they run and how many need
 * attention.
 */
function SummaryLines(props: {
  environment: string;
  summary: EnvironmentSummary;
}) {
  const { environment, summary: s } = props;
  const { t } = useTranslationRef(gitopsTranslationRef);
  const total = s.total.toLocaleString('en-US');
  const attention = [
    s.degraded
      ? t('fleet.cellDegraded', { n: s.degraded.toLocaleString('en-US') })
      : '',
    s.progressing
      ? t('environmentCard.summaryProgressing', {
          n: s.progressing.toLocaleString('en-US'),
        })
      : '',
    s.outOfSync
      ? t('fleet.cellOutOfSync', { n: s.outOfSync.toLocaleString('en-US') })
      : '',
  ].filter(Boolean);
  return (
    <Box mb={2} aria-label={t('environmentCard.summaryAria', { environment })}>
      <Typography variant="subtitle1">
        {s.revisions.length
          ? s.revisions
              .map(r =>
                t('fleet.cellRevision', {
                  revision: shortRevision(r.revision),
                  on: r.count.toLocaleString('en-US'),
                  total,
                }),
              )
              .join(' · ')
          : t('fleet.cellApplications', { total })}
      </Typography>
      {attention.length > 0 && (
        <Typography variant="body2" color="error">
          {attention.join(' · ')}
        </Typography>
      )}
      <Typography variant="body2" color="textSecondary">
        {t('environmentCard.summaryListed', {
          listed: s.listed.toLocaleString('en-US'),
          total,
        })}
      </Typography>
    </Box>
  );
}

/** One environment: its applications, their status and deployed revisions. */
export function EnvironmentCard(props: {
  environment: EnvironmentDeployments;
  onChange: () => void;
  /** Promotion controls and proposals under way, below the applications. */
  footer?: ReactNode;
}) {
  const { environment } = props;
  const { t } = useTranslationRef(gitopsTranslationRef);
  const stale = environment.applications.some(a => a.stale);
  return (
    <section
      aria-label={t('environmentCard.ariaLabel', {
        environment: environment.environment,
      })}
    >
      <InfoCard
        title={environment.environment}
        subheader={
          <Box display="flex" style={{ gap: 8 }}>
            <SyncChip status={environment.syncStatus} stale={stale} />
            <HealthChip status={environment.healthStatus} stale={stale} />
          </Box>
        }
      >
        {environment.summary && (
          <SummaryLines
            environment={environment.environment}
            summary={environment.summary}
          />
        )}
        {environment.applications.map(app => (
          <ApplicationRow key={app.id} app={app} onChange={props.onChange} />
        ))}
        {props.footer}
      </InfoCard>
    </section>
  );
}
