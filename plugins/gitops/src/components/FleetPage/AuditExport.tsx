import { useApi } from '@backstage/core-plugin-api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import { gitopsAuditReadPermission } from '@gitops-portal/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { gitopsApiRef } from '../../api';
import { gitopsTranslationRef } from '../../translation';

const DAYS = 30;

/**
 * Downloads who did what in the last 30 days as CSV (deployments,
 * proposals, freeze overrides), for users with gitops.audit.read.
 */
export function AuditExport() {
  const api = useApi(gitopsApiRef);
  const { t } = useTranslationRef(gitopsTranslationRef);
  const { allowed } = usePermission({ permission: gitopsAuditReadPermission });
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (!allowed) return null;
  const download = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const to = new Date();
      const from = new Date(to.getTime() - DAYS * 24 * 3600_000);
      const csv = await api.getAuditCsv({
        from: from.toISOString(),
        to: to.toISOString(),
      });
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `gitops-audit-${to.toISOString().slice(0, 10)}.csv`;
      a.click();
      URL.revokeObjectURL(url);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button
        size="small"
        variant="outlined"
        disabled={busy}
        onClick={download}
      >
        {t('fleet.auditExport', { days: String(DAYS) })}
      </Button>
      {error && (
        <Typography variant="caption" color="error" role="alert">
          {error}
        </Typography>
      )}
    </>
  );
}
