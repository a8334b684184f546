import { registerStrictMswHooks } from '@gitops-portal/gitops-test-utils/src/msw';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { emptyAnswers } from '../../__testUtils__/emptyAnswers';
import { entity } from '../../__fixtures__/data';
import { serveChanges } from '../../__testUtils__/changes';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { EntityGitopsContent } from '../EntityGitopsContent';

const server = setupServer(...emptyAnswers);
registerStrictMswHooks(server);

// its own file: usePermission keeps answers for a test file's lifetime
describe('promotion without the permission', () => {
  it('turns the buttons off without the permission', async () => {
    serveChanges(server, { promote: true });
    await renderWithApis(<EntityGitopsContent />, {
      entity,
      permission: AuthorizeResult.DENY,
    });
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: /^Promote staging → prod/ }),
      ).toBeDisabled(),
    );
    expect(
      screen.getByTitle('You are not allowed to promote'),
    ).toBeInTheDocument();
  });
});
