import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
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

/**
 * A status chip; from a controller that could not be read (`stale`), grey
 * and outlined, saying it is the last known status.
 */
function StatusChip(props: {
  label: string;
  aria: string;
  tone: keyof ReturnType<typeof useStyles>;
  stale?: boolean;
}) {
  const classes = useStyles();
  const { t } = useTranslationRef(gitopsTranslationRef);
  if (!props.stale)
    return (
      <Chip
        size="small"
        label={props.label}
        className={classes[props.tone]}
        aria-label={props.aria}
      />
    );
  const label = t('status.lastKnown', { status: props.label });
  return (
    <Tooltip title={t('status.lastKnownTitle')}>
      <Chip
        size="small"
        variant="outlined"
        label={label}
        aria-label={`${props.aria}, last known`}
      />
    </Tooltip>
  );
}

/** @public */
export function HealthChip(props: { status: HealthStatus; stale?: boolean }) {
  const { t } = useTranslationRef(gitopsTranslationRef);
  return (
    <StatusChip
      label={t(`status.health.${props.status}`)}
      tone={HEALTH_TONE[props.status]}
      aria={t('status.health.aria', { status: props.status })}
      stale={props.stale}
    />
  );
}

/** @public */
export function SyncChip(props: { status: SyncStatus; stale?: boolean }) {
  const { t } = useTranslationRef(gitopsTranslationRef);
  return (
    <StatusChip
      label={t(`status.sync.${props.status}`)}
      tone={SYNC_TONE[props.status]}
      aria={t('status.sync.aria', { status: props.status })}
      stale={props.stale}
    />
  );
}
