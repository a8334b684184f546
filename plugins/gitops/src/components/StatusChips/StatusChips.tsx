import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import { HealthStatus, SyncStatus } from '@gitops-portal/plugin-gitops-common';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { gitopsTranslationRef } from '../../translation';

const useStyles = makeStyles(theme => ({
  good: { backgroundColor: theme.palette.success.main, color: '#fff' },
  warn: { backgroundColor: theme.palette.warning.main, color: '#000' },
  bad: { backgroundColor: theme.palette.error.main, color: '#fff' },
  info: { backgroundColor: theme.palette.info.main, color: '#fff' },
  unknown: {},
}));

const HEALTH_TONE: Record<
  HealthStatus,
  'good' | 'warn' | 'bad' | 'info' | 'unknown'
> = {
  Healthy: 'good',
  Progressing: 'info',
  Degraded: 'bad',
  Missing: 'bad',
  Suspended: 'warn',
  Unknown: 'unknown',
};

const SYNC_TONE: Record<SyncStatus, 'good' | 'warn' | 'unknown'> = {
  Synced: 'good',
  OutOfSync: 'warn',
  Unknown: 'unknown',
};

/** @public */
export function HealthChip(props: { status: HealthStatus }) {
  const classes = useStyles();
  const { t } = useTranslationRef(gitopsTranslationRef);
  return (
    <Chip
      size="small"
      label={t(`status.health.${props.status}`)}
      className={classes[HEALTH_TONE[props.status]]}
      aria-label={t('status.health.aria', { status: props.status })}
    />
  );
}

/** @public */
export function SyncChip(props: { status: SyncStatus }) {
  const classes = useStyles();
  const { t } = useTranslationRef(gitopsTranslationRef);
  return (
    <Chip
      size="small"
      label={t(`status.sync.${props.status}`)}
      className={classes[SYNC_TONE[props.status]]}
      aria-label={t('status.sync.aria', { status: props.status })}
    />
  );
}
