import { WarningPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { ControllerStatus } from '@gitops-portal/plugin-gitops-common';
import Typography from '@material-ui/core/Typography';
import { gitopsApiRef } from '../../api';
import { usePolling } from '../../hooks/usePolling';

const time = (iso?: string) =>
  iso
    ? new Date(iso).toLocaleTimeString('en-GB', {
        hour: '2-digit',
        minute: '2-digit',
      })
    : 'unknown';

/** "prod-eu unreachable since 10:04; its 312 applications show their last known state". */
export function unreachableText(c: ControllerStatus): string {
  const apps =
    c.applicationCount === 1
      ? 'its application shows its'
      : `its ${c.applicationCount.toLocaleString(
          'en-US',
        )} applications show their`;
  return `${c.instance} unreachable since ${time(
    c.errorSince,
  )}; ${apps} last known state${
    c.lastSuccessAt ? ` (read ${time(c.lastSuccessAt)})` : ''
  }`;
}

/** A banner for the controllers the backend cannot read, with what that means. */
export function ControllerBanner() {
  const api = useApi(gitopsApiRef);
  const { value } = usePolling(() => api.getControllers(), [api], 15_000);
  const down = (value ?? []).filter(c => c.status === 'unreachable');
  if (down.length === 0) return null;
  return (
    <WarningPanel
      severity="warning"
      title={`${down.length} GitOps controller${
        down.length === 1 ? '' : 's'
      } unreachable`}
      defaultExpanded
    >
      {down.map(c => (
        <Typography key={`${c.engine}:${c.instance}`} variant="body2">
          {unreachableText(c)}: {c.lastError}
        </Typography>
      ))}
    </WarningPanel>
  );
}
