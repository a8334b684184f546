import { WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ControllerStatus } from '@gitops-portal/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { gitopsApiRef } from '../../api';
import { usePolling } from '../../hooks/usePolling';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { GitopsT, gitopsTranslationRef } from '../../translation';

const time = (t: GitopsT, iso?: string) =>
  iso
    ? new Date(iso).toLocaleTimeString('en-GB', {
        hour: '2-digit',
        minute: '2-digit',
      })
    : t('common.unknown');

/** "prod-eu unreachable since 10:04; its 312 applications show their last known state". */
export function unreachableText(t: GitopsT, c: ControllerStatus): string {
  const line = t('controllers.line', {
    instance: c.instance,
    since: time(t, c.errorSince),
    count: c.applicationCount,
  });
  return c.lastSuccessAt
    ? `${line} ${t('controllers.lastRead', { time: time(t, c.lastSuccessAt) })}`
    : line;
}

/** A banner for the controllers the backend cannot read, with what that means. */
export function ControllerBanner() {
  const api = useApi(gitopsApiRef);
  const { t } = useTranslationRef(gitopsTranslationRef);
  const { value } = usePolling(() => api.getControllers(), [api], 15_000);
  const down = (value ?? []).filter(c => c.status === 'unreachable');
  if (down.length === 0) return null;
  return (
    <WarningPanel
      severity="warning"
      title={t('controllers.unreachable', { count: down.length })}
      defaultExpanded
    >
      {down.map(c => (
        <Typography key={`${c.engine}:${c.instance}`} variant="body2">
          {t('controllers.error', {
            line: unreachableText(t, c),
            error: c.lastError ?? t('common.unknown'),
          })}
        </Typography>
      ))}
    </WarningPanel>
  );
}
