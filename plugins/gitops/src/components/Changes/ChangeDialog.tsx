import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { useNotify } from '../../hooks/useNotify';
import {
  ChangeProposal,
  ProposeChangeRequest,
} from '@gitops-portal/plugin-gitops-common';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { EntityRefParts, gitopsApiRef } from '../../api';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { gitopsTranslationRef } from '../../translation';
import { shortRevision } from '../format';

function Diff(props: { diff: string }) {
  return (
    <pre
      style={{
        fontSize: 12,
        overflowX: 'auto',
        padding: 8,
        background: 'rgba(127,127,127,0.08)',
      }}
    >
      {props.diff.split('\n').map((line, i) => {
        let color: string | undefined;
        if (line.startsWith('+') && !line.startsWith('+++')) color = '#1b5e20';
        else if (line.startsWith('-') && !line.startsWith('---'))
          color = '#b71c1c';
        return (
          <div key={i} style={{ color }}>
            {line || ' '}
          </div>
        );
      })}
    </pre>
  );
}

/** A value as people read it: a commit id shortened, the whole in a tooltip. */
function Value(props: { value: string }) {
  const short = shortRevision(props.value);
  return short === props.value ? (
    <code>{props.value}</code>
  ) : (
    <code title={props.value}>{short}</code>
  );
}

/** The commits a change brings, or a rollback undoes, newest first. */
function CommitList(props: { proposal: ChangeProposal }) {
  const { t } = useTranslationRef(gitopsTranslationRef);
  const { commitCount, commits = [], action } = props.proposal;
  if (commitCount === undefined) return null;
  if (commitCount === 0)
    return (
      <Typography variant="body2" paragraph>
        {t('changes.noCommits')}
      </Typography>
    );
  return (
    <div data-testid="change-commits">
      <Typography variant="body2">
        {action === 'rollback'
          ? t('changes.commitsUndone', { count: commitCount })
          : t('changes.commitsBrought', { count: commitCount })}
      </Typography>
      <ul style={{ marginTop: 4, paddingLeft: 20 }}>
        {commits.map(c => (
          <li key={c.sha}>
            <Typography variant="body2" component="span">
              {c.url ? (
                <Link to={c.url}>
                  <code>{shortRevision(c.sha)}</code>
                </Link>
              ) : (
                <code>{shortRevision(c.sha)}</code>
              )}{' '}
              {c.message.split('\n')[0]}{' '}
              <Typography variant="caption" color="textSecondary">
                {c.authorName}
              </Typography>
            </Typography>
          </li>
        ))}
        {commitCount > commits.length && (
          <li>
            <Typography variant="body2" color="textSecondary">
              {t('changes.moreCommits', {
                count: commitCount - commits.length,
              })}
            </Typography>
          </li>
        )}
      </ul>
    </div>
  );
}

/**
 * Shows the exact change a promotion or rollback writes (a dry run), takes a
 * note, and proposes it.
 */
export function ChangeDialog(props: {
  entity: EntityRefParts;
  request: Omit<ProposeChangeRequest, 'note' | 'dryRun'>;
  onClose: () => void;
  onProposed: (proposal: ChangeProposal) => void;
}) {
  const { entity, request, onClose, onProposed } = props;
  const api = useApi(gitopsApiRef);
  const notify = useNotify();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const { t } = useTranslationRef(gitopsTranslationRef);
  const preview = useAsync(
    () => api.proposeChange(entity, { ...request, dryRun: true }),
    [api, entity.kind, entity.namespace, entity.name, JSON.stringify(request)],
  );
  const p = preview.value;
  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth>
      <DialogTitle>
        {p?.title ??
          (request.action === 'promote'
            ? t('changes.promoteTitle', { environment: request.environment })
            : t('changes.rollbackTitle', {
                environment: request.environment,
              }))}
      </DialogTitle>
      <DialogContent>
        {preview.loading && <Progress />}
        {preview.error && <ResponseErrorPanel error={preview.error} />}
        {p && (
          <>
            <Typography variant="body2" paragraph>
              {p.currentValue && (
                <>
                  {t('changes.runs', {
                    environment: p.environment,
                    value: <Value value={p.currentValue} />,
                  })}{' '}
                </>
              )}
              {t('changes.writes', {
                value: (
                  <strong>
                    <Value value={p.value} />
                  </strong>
                ),
                repo: <Link to={p.repoUrl}>{p.repoUrl}</Link>,
                shape: p.shape,
                mode: t(`changes.mode.${p.mode}`),
                branch: p.baseBranch,
              })}
            </Typography>
            <CommitList proposal={p} />
            {p.files.map(f => (
              <div key={f.path}>
                <Typography variant="subtitle2">{f.path}</Typography>
                <Diff diff={f.diff} />
              </div>
            ))}
            <TextField
              label={t('changes.note')}
              fullWidth
              multiline
              minRows={2}
              value={note}
              inputProps={{ maxLength: 2000 }}
              onChange={e => setNote(e.target.value)}
            />
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('changes.cancel')}</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!p || busy}
          onClick={async () => {
            setBusy(true);
            try {
              const proposal = await api.proposeChange(entity, {
                ...request,
                note: note || undefined,
              });
              notify({
                title: proposal.url
                  ? t('changes.proposedAlertWithUrl', {
                      title: proposal.title,
                      url: proposal.url,
                    })
                  : t('changes.proposedAlert', { title: proposal.title }),
                status: 'success',
              });
              onProposed(proposal);
            } catch (e) {
              notify({
                title: t('changes.failedAlert', {
                  message: (e as Error).message,
                }),
                status: 'danger',
              });
            } finally {
              setBusy(false);
            }
          }}
        >
          {t('changes.propose')}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
