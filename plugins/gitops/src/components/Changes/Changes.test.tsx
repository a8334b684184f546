import { registerStrictMswHooks } from '@gitops-portal/gitops-test-utils/src/msw';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { emptyAnswers } from '../../__testUtils__/emptyAnswers';
import { entity } from '../../__fixtures__/data';
import { proposal, serveChanges, SHA } from '../../__testUtils__/changes';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { EntityGitopsContent } from '../EntityGitopsContent';

const server = setupServer(...emptyAnswers);
registerStrictMswHooks(server);

describe('promotion and rollback on the Deployments tab', () => {
  it('previews the diff of a promotion and proposes it with a note', async () => {
    const posted = serveChanges(server, { promote: true });
    await renderWithApis(<EntityGitopsContent />, { entity });
    const button = await screen.findByRole('button', {
      name: /^Promote staging → prod/,
    });
    await userEvent.click(button);
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText('apps/checkout/prod.yaml'),
    ).toBeInTheDocument();
    expect(dialog.textContent).toContain(`+    targetRevision: ${SHA}`);
    // what goes out: the commits, newest first, first line of each message
    const commits = within(dialog).getByTestId('change-commits');
    expect(commits.textContent).toContain('3 commits go out with it:');
    const items = within(commits).getAllByRole('listitem');
    expect(items.map(i => i.textContent)).toEqual([
      'ccccccc, Opens in a new window Raise the checkout timeout Alice',
      'bbbbbbb Add a retry Bob',
      'and 1 more',
    ]);
    expect(within(items[0]).getByRole('link')).toHaveAttribute(
      'href',
      `http://git.example.com/fleet/commit/${SHA}`,
    );
    // commit ids read short, whole in the tooltip
    expect(within(dialog).getByTitle(SHA).textContent).toBe('ccccccc');
    await userEvent.type(within(dialog).getByRole('textbox'), 'release 42');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Propose' }),
    );
    await waitFor(() => expect(posted).toHaveLength(2));
    expect(posted).toEqual([
      { action: 'promote', environment: 'prod', dryRun: true },
      { action: 'promote', environment: 'prod', note: 'release 42' },
    ]);
  });

  it('says why promotion is off, shows proposals under way and who rolled back', async () => {
    serveChanges(server, {
      promote: false,
      proposals: [
        proposal({
          id: 'p3',
          status: 'open',
          pullRequestNumber: 12,
          url: 'https://github.com/acme/fleet/pull/12',
          createdBy: 'user:default/bob',
          review: {
            approvedBy: ['carol'],
            changesRequestedBy: ['dave'],
            checks: { passed: 3, failed: 1, pending: 0 },
          },
        }),
      ],
    });
    await renderWithApis(<EntityGitopsContent />, { entity });
    const button = await screen.findByRole('button', {
      name: /^Promote staging → prod/,
    });
    expect(button).toBeDisabled();
    expect(
      screen.getByTitle('prod already runs what staging runs'),
    ).toBeInTheDocument();
    expect((await screen.findByTestId('proposal')).textContent).toMatch(
      /promotion to ccccccc proposed by bob: PR #12.*, open/,
    );
    // where its review stands on GitHub
    expect(screen.getByTestId('proposal-review').textContent).toBe(
      'approved by carol · changes requested by dave · checks: 3 passed, 1 failed, 0 running',
    );
    expect(await screen.findByText('rollback by alice')).toBeInTheDocument();
    // each row links its own change, never the repository's front page
    expect(screen.getByRole('link', { name: /^change/ })).toHaveAttribute(
      'href',
      'http://git.example.com/fleet/compare/x',
    );
    expect(screen.getByText('promotion by bob')).toBeInTheDocument();
    expect(screen.getByTestId('proposal-branch').textContent).toBe(
      'on branch gitops/promote-prod-7',
    );
    const rollbacks = screen.getAllByRole('button', { name: 'Roll back' });
    expect(rollbacks.length).toBe(3);
    // nothing to roll back to on the row that runs now
    await waitFor(() => expect(rollbacks[0]).toBeDisabled());
    expect(
      screen.getByTitle('This revision runs in prod now'),
    ).toBeInTheDocument();
    expect(rollbacks[2]).toBeEnabled();
  });
});
