import { registerStrictMswHooks } from '@gitops-portal/gitops-test-utils/src/msw';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setupServer } from 'msw/node';
import { emptyAnswers } from '../../__testUtils__/emptyAnswers';
import { entity } from '../../__fixtures__/data';
import { serveChanges } from '../../__testUtils__/changes';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { EntityGitopsContent } from '../EntityGitopsContent';

const server = setupServer(...emptyAnswers);
registerStrictMswHooks(server);

const reason =
  'Frozen: Weekend freeze (Fri 16:00 – Mon 08:00 Europe/Berlin) until 2026-12-07T07:00:00.000Z';

describe('a promotion held by a freeze window', () => {
  it('says why and until when, and lets a user with the override permission promote anyway', async () => {
    const posted = serveChanges(server, {
      promote: false,
      prodPromote: {
        available: false,
        fromEnvironment: 'staging',
        heldBy: 'freeze',
        until: '2026-12-07T07:00:00.000Z',
        reason,
      },
    });
    await renderWithApis(<EntityGitopsContent />, { entity });
    const button = await screen.findByRole('button', {
      name: /^Promote staging → prod/,
    });
    expect(button).toBeDisabled();
    // in view, not only in a tooltip
    expect((await screen.findByTestId('promote-held')).textContent).toBe(
      reason,
    );
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Promote anyway (override the freeze)',
      }),
    );
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(
      await within(dialog).findByRole('button', { name: 'Propose' }),
    );
    await waitFor(() => expect(posted).toHaveLength(2));
    expect(posted).toEqual([
      { action: 'promote', environment: 'prod', override: true, dryRun: true },
      { action: 'promote', environment: 'prod', override: true },
    ]);
  });
});
