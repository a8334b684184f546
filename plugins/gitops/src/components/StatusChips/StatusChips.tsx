import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import { HealthStatus, SyncStatus } from '@gitops-portal/plugin-gitops-common';

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
  return (
    <Chip
      size="small"
      label={props.status}
      className={classes[HEALTH_TONE[props.status]]}
      aria-label={`health ${props.status}`}
    />
  );
}

/** @public */
export function SyncChip(props: { status: SyncStatus }) {
  const classes = useStyles();
  return (
    <Chip
      size="small"
      label={props.status === 'OutOfSync' ? 'Out of sync' : props.status}
      className={classes[SYNC_TONE[props.status]]}
      aria-label={`sync ${props.status}`}
    />
  );
}
