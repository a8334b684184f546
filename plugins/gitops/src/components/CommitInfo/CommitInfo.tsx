import { Link } from '@backstage/core-components';
import { SourceGitInfo } from '@gitops-portal/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { relativeTime, shortRevision } from '../format';
import { useTranslationRef } from '@backstage/frontend-plugin-api';
import { gitopsTranslationRef } from '../../translation';

const firstLine = (message: string) => message.split('\n')[0];

/** The deployed commit (hash link, first line, author, time) and what waits on the branch. */
export function CommitInfo(props: { git: SourceGitInfo }) {
  const { git } = props;
  const [open, setOpen] = useState(false);
  const { t } = useTranslationRef(gitopsTranslationRef);
  if (git.error) {
    return (
      <Typography variant="body2" color="error">
        {t('commit.gitError', { message: git.error })}
      </Typography>
    );
  }
  const { commit, pending } = git;
  if (git.latestChartVersion) {
    return git.latestChartVersion === git.revision ? (
      <Typography variant="body2" color="textSecondary">
        {t('commit.newestChart')}
      </Typography>
    ) : (
      <Typography variant="body2">
        {t('commit.chartAvailable', { version: git.latestChartVersion })}
      </Typography>
    );
  }
  return (
    <Box>
      {commit && (
        <Typography variant="body2">
          {commit.url ? (
            <Link to={commit.url}>{commit.sha.slice(0, 7)}</Link>
          ) : (
            commit.sha.slice(0, 7)
          )}{' '}
          {firstLine(commit.message)} — {commit.authorName},{' '}
          {relativeTime(commit.committedAt)}
        </Typography>
      )}
      {pending?.status === 'diverged' && (
        <Typography variant="body2" color="error">
          {t('commit.diverged', { branch: pending.branch })}
        </Typography>
      )}
      {pending?.status === 'up-to-date' && (
        <Typography variant="body2" color="textSecondary">
          {t('commit.upToDate', { branch: pending.branch })}
        </Typography>
      )}
      {pending?.status === 'ahead' && (
        <Box>
          <Button size="small" onClick={() => setOpen(!open)}>
            {t('commit.pending', {
              count: pending.count,
              branch: pending.branch,
            })}
          </Button>
          {pending.compareUrl && (
            <Link to={pending.compareUrl}>{t('commit.compare')}</Link>
          )}
          {open && (
            <ul
              aria-label={t('commit.pendingAria', { branch: pending.branch })}
            >
              {pending.commits.map(c => (
                <li key={c.sha}>
                  <Typography variant="body2">
                    {c.url ? (
                      <Link to={c.url}>{shortRevision(c.sha)}</Link>
                    ) : (
                      shortRevision(c.sha)
                    )}{' '}
                    {firstLine(c.message)} — {c.authorName}
                  </Typography>
                </li>
              ))}
              {pending.count > pending.commits.length && (
                <li>
                  <Typography variant="body2" color="textSecondary">
                    {t('commit.more', {
                      rest: String(pending.count - pending.commits.length),
                    })}
                  </Typography>
                </li>
              )}
            </ul>
          )}
        </Box>
      )}
    </Box>
  );
}
