import { Link } from '@backstage/core-components';
import { SourceGitInfo } from '@gitops-portal/plugin-gitops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import { useState } from 'react';
import { relativeTime, shortRevision } from '../format';

const firstLine = (message: string) => message.split('\n')[0];

/** The deployed commit (hash link, first line, author, time) and what waits on the branch. */
export function CommitInfo(props: { git: SourceGitInfo }) {
  const { git } = props;
  const [open, setOpen] = useState(false);
  if (git.error) {
    return (
      <Typography variant="body2" color="error">
        Git: {git.error}
      </Typography>
    );
  }
  const { commit, pending } = git;
  if (git.latestChartVersion) {
    return git.latestChartVersion === git.revision ? (
      <Typography variant="body2" color="textSecondary">
        Newest chart version
      </Typography>
    ) : (
      <Typography variant="body2">
        Chart {git.latestChartVersion} is available
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
          The deployed commit is no longer on {pending.branch} (force push?)
        </Typography>
      )}
      {pending?.status === 'up-to-date' && (
        <Typography variant="body2" color="textSecondary">
          Up to date with {pending.branch}
        </Typography>
      )}
      {pending?.status === 'ahead' && (
        <Box>
          <Button size="small" onClick={() => setOpen(!open)}>
            {pending.count} pending commit{pending.count === 1 ? '' : 's'} on{' '}
            {pending.branch}
          </Button>
          {pending.compareUrl && <Link to={pending.compareUrl}>compare</Link>}
          {open && (
            <ul aria-label={`pending commits on ${pending.branch}`}>
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
                    and {pending.count - pending.commits.length} more
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
