import { useApi } from '@backstage/core-plugin-api';
import { useNotify } from '../../hooks/useNotify';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  GitopsApplication,
  gitopsApplicationRefreshPermission,
  gitopsApplicationSuspendPermission,
  gitopsApplicationSyncPermission,
} from '@gitops-portal/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import Tooltip from '@material-ui/core/Tooltip';
import { useState } from 'react';
import { gitopsApiRef } from '../../api';

import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { GitopsT, gitopsTranslationRef } from '../../translation';

type Action = 'refresh' | 'sync' | 'suspend' | 'resume';

const PERMISSIONS = {
  refresh: gitopsApplicationRefreshPermission,
  sync: gitopsApplicationSyncPermission,
  suspend: gitopsApplicationSuspendPermission,
  resume: gitopsApplicationSuspendPermission,
};

function labelOf(app: GitopsApplication, action: Action, t: GitopsT) {
  if (app.engine === 'flux' && action === 'sync') return t('actions.reconcile');
  return t(`actions.${action}`);
}

function ActionButton(props: {
  app: GitopsApplication;
  action: Action;
  onDone: () => void;
}) {
  const { app, action, onDone } = props;
  const { entity } = useEntity();
  const api = useApi(gitopsApiRef);
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const { t } = useTranslationRef(gitopsTranslationRef);
  const entityRef = stringifyEntityRef(entity);
  const { allowed, loading } = usePermission({
    permission: PERMISSIONS[action],
    resourceRef: entityRef,
  });
  const label = labelOf(app, action, t);
  const button = (
    <span>
      <Button
        size="small"
        variant="outlined"
        disabled={!allowed || loading || busy || app.stale}
        onClick={() =>
          confirmOf(app, action, t) ? setConfirming(true) : run()
        }
      >
        {label}
      </Button>
    </span>
  );
  async function run() {
    setConfirming(false);
    setBusy(true);
    try {
      await api.runAction({
        entity: {
          kind: entity.kind,
          namespace: entity.metadata.namespace,
          name: entity.metadata.name,
        },
        applicationId: app.id,
        action,
      });
      notify({
        title: t('actions.requested', {
          action: label,
          name: app.name,
        }),
        status: 'success',
      });
      onDone();
    } catch (e) {
      notify({
        title: t('actions.failed', {
          action: label,
          name: app.name,
          message: (e as Error).message,
        }),
        status: 'danger',
      });
    } finally {
      setBusy(false);
    }
  }
  const confirm = confirmOf(app, action, t);
  const dialog = confirming && confirm && (
    <Dialog open onClose={() => setConfirming(false)} maxWidth="sm">
      <DialogTitle>
        {t('actions.confirmTitle', { action: label, name: app.name })}
      </DialogTitle>
      <DialogContent>
        <DialogContentText>{confirm}</DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={() => setConfirming(false)}>
          {t('actions.cancel')}
        </Button>
        <Button color="primary" variant="contained" onClick={run}>
          {label}
        </Button>
      </DialogActions>
    </Dialog>
  );
  if (!loading && !allowed) {
    return (
      <Tooltip
        title={t('actions.notAllowed', {
          action: label.toLocaleLowerCase(),
        })}
      >
        {button}
      </Tooltip>
    );
  }
  return (
    <>
      {button}
      {dialog}
    </>
  );
}

/**
 * What an action that changes the cluster does, asked before it runs;
 * undefined for one that only reads again (refresh).
 */
function confirmOf(app: GitopsApplication, action: Action, t: GitopsT) {
  if (action === 'sync')
    return t('actions.confirmSync', {
      name: app.name,
      environment: app.environment,
      target:
        app.sources[0]?.targetRevision ??
        app.sources[0]?.chart ??
        t('common.none'),
    });
  if (action === 'suspend')
    return t('actions.confirmSuspend', {
      name: app.name,
      environment: app.environment,
    });
  return undefined;
}

/**
 * Refresh and sync (Argo CD) or reconcile and suspend / resume (Flux),
 * disabled with a reason without permission.
 */
export function ApplicationActions(props: {
  app: GitopsApplication;
  onDone: () => void;
}) {
  const { app } = props;
  if (app.engine === 'flux') {
    return (
      <>
        <ActionButton {...props} action="sync" />{' '}
        <ActionButton
          {...props}
          action={app.healthStatus === 'Suspended' ? 'resume' : 'suspend'}
        />
      </>
    );
  }
  return (
    <>
      <ActionButton {...props} action="refresh" />{' '}
      <ActionButton {...props} action="sync" />
    </>
  );
}
