import { Link } from '@backstage/core-components';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ChangeProposal,
  EnvironmentChangeOptions,
  gitopsApplicationPromotePermission,
  gitopsApplicationPromoteOverridePermission,
  gitopsApplicationRollbackPermission,
} from '@gitops-portal/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { EntityRefParts } from '../../api';
import { ChangeDialog } from './ChangeDialog';
import { shortRevision } from '../format';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { gitopsTranslationRef } from '../../translation';

/** "promotion to prod proposed: PR #12, open". */
export function ProposalLine(props: { proposal: ChangeProposal }) {
  const { proposal: p } = props;
  const { t } = useTranslationRef(gitopsTranslationRef);
  const what = t(
    p.action === 'promote' ? 'changes.promotion' : 'changes.rollback',
  );
  const ref = p.pullRequestNumber
    ? t('changes.pullRequest', { number: String(p.pullRequestNumber) })
    : p.branch;
  const value = shortRevision(p.value);
  return (
    <Typography variant="body2" component="div" data-testid="proposal">
      {p.createdBy
        ? t('changes.proposedBy', {
            what,
            value,
            user: p.createdBy.replace(/^user:([^/]+\/)?/, ''),
          })
        : t('changes.proposed', { what, value })}{' '}
      {p.url ? <Link to={p.url}>{ref}</Link> : ref},{' '}
      <Chip size="small" label={t(`changes.status.${p.status}`)} />
      {p.status === 'open' && p.review && (
        // where review stands on the host, as of its last read
        <Typography
          variant="caption"
          color="textSecondary"
          component="div"
          data-testid="proposal-review"
        >
          {[
            p.review.approvedBy.length
              ? t('changes.approvedBy', {
                  users: p.review.approvedBy.join(', '),
                })
              : t('changes.noApproval'),
            p.review.changesRequestedBy.length
              ? t('changes.changesRequestedBy', {
                  users: p.review.changesRequestedBy.join(', '),
                })
              : undefined,
            p.review.checks
              ? t('changes.checks', {
                  passed: String(p.review.checks.passed),
                  failed: String(p.review.checks.failed),
                  pending: String(p.review.checks.pending),
                })
              : undefined,
          ]
            .filter(Boolean)
            .join(' · ')}
        </Typography>
      )}
    </Typography>
  );
}

/** The promote button of an environment, and the proposals still under way. */
export function EnvironmentChanges(props: {
  entity: EntityRefParts & { ref: string };
  options?: EnvironmentChangeOptions;
  proposals: ChangeProposal[];
  /** Commits the previous environment runs that this one lacks, if known. */
  commits?: number;
  onChange: () => void;
}) {
  const { entity, options, proposals, onChange, commits } = props;
  const [open, setOpen] = useState(false);
  const { t } = useTranslationRef(gitopsTranslationRef);
  const [override, setOverride] = useState(false);
  const { allowed, loading } = usePermission({
    permission: gitopsApplicationPromotePermission,
    resourceRef: entity.ref,
  });
  const mayOverride = usePermission({
    permission: gitopsApplicationPromoteOverridePermission,
    resourceRef: entity.ref,
  }).allowed;
  if (!options) return null;
  const held = options.promote.heldBy;
  const under = proposals.filter(
    p =>
      p.environment === options.environment &&
      (p.status === 'open' || p.status === 'merged'),
  );
  let reason = options.promote.reason;
  if (!loading && !allowed) reason = t('changes.promoteNotAllowed');
  const from = options.promote.fromEnvironment;
  const showButton = Boolean(from) || options.promote.available;
  return (
    <Box mt={1}>
      {under.map(p => (
        <ProposalLine key={p.id} proposal={p} />
      ))}
      {showButton && (
        <Tooltip title={reason ?? ''}>
          <span>
            <Button
              size="small"
              color="primary"
              variant="outlined"
              disabled={!options.promote.available || !allowed || loading}
              onClick={() => setOpen(true)}
            >
              {options.promote.available && commits
                ? t('changes.promoteButtonCommits', {
                    from: from ?? '',
                    to: options.environment,
                    count: commits,
                  })
                : t('changes.promoteButton', {
                    from: from ?? '',
                    to: options.environment,
                  })}
            </Button>
          </span>
        </Tooltip>
      )}
      {held && options.promote.reason && (
        // a policy holds it back: say which, why and until when, in view
        <Typography
          variant="caption"
          color="textSecondary"
          component="div"
          data-testid="promote-held"
        >
          {options.promote.reason}
        </Typography>
      )}
      {held === 'freeze' && mayOverride && allowed && (
        <Button
          size="small"
          color="secondary"
          onClick={() => {
            setOverride(true);
            setOpen(true);
          }}
        >
          {t('changes.promoteAnyway')}
        </Button>
      )}
      {!showButton && options.promote.reason && (
        <Tooltip title={options.promote.reason}>
          <Typography
            variant="caption"
            color="textSecondary"
            component="div"
            aria-label={options.promote.reason}
          >
            {options.shape
              ? t('changes.promotionRule', {
                  shape: options.shape,
                  reason: options.promote.reason
                    .replace(/^\S+ /, '')
                    .replace(/:.*$/, ''),
                })
              : t('changes.noRule')}
          </Typography>
        </Tooltip>
      )}
      {open && (
        <ChangeDialog
          entity={entity}
          request={{
            action: 'promote',
            environment: options.environment,
            ...(override ? { override: true } : {}),
          }}
          onClose={() => {
            setOpen(false);
            setOverride(false);
          }}
          onProposed={() => {
            setOpen(false);
            setOverride(false);
            onChange();
          }}
        />
      )}
    </Box>
  );
}

/** Roll back an environment to a deployment of the history. */
export function RollbackButton(props: {
  entity: EntityRefParts & { ref: string };
  environment: string;
  deploymentId: string;
  options?: EnvironmentChangeOptions;
  /** The deployment's revisions run in the environment now: nothing to roll back to. */
  runsNow?: boolean;
  /**
   * Opens the rollback dialog where it outlives this button (a history
   * that reloads replaces its rows); without it, the button keeps its own.
   */
  onOpen?: (request: { environment: string; deploymentId: string }) => void;
  onChange: () => void;
}) {
  const { entity, environment, deploymentId, options, runsNow } = props;
  const [open, setOpen] = useState(false);
  const { t } = useTranslationRef(gitopsTranslationRef);
  const { allowed, loading } = usePermission({
    permission: gitopsApplicationRollbackPermission,
    resourceRef: entity.ref,
  });
  if (!options) return null;
  let reason = options.rollback.reason;
  if (runsNow) reason = t('changes.rollbackRunsNow', { environment });
  if (!loading && !allowed) reason = t('changes.rollbackNotAllowed');
  return (
    <>
      <Tooltip title={reason ?? t('changes.rollbackTooltip', { environment })}>
        <span>
          <Button
            size="small"
            disabled={
              !options.rollback.available || runsNow || !allowed || loading
            }
            onClick={() =>
              props.onOpen
                ? props.onOpen({ environment, deploymentId })
                : setOpen(true)
            }
          >
            {t('changes.rollbackButton')}
          </Button>
        </span>
      </Tooltip>
      {open && (
        <ChangeDialog
          entity={entity}
          request={{ action: 'rollback', environment, deploymentId }}
          onClose={() => setOpen(false)}
          onProposed={() => {
            setOpen(false);
            props.onChange();
          }}
        />
      )}
    </>
  );
}
