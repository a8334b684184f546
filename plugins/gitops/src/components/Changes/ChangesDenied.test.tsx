import { registerMswTestHooks } from '@backstage/test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { screen, waitFor } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { entity } from '../../__fixtures__/data';
import { serveChanges } from '../../__testUtils__/changes';
import { renderWithApis } from '../../__testUtils__/renderWithApis';
import { EntityGitopsContent } from '../EntityGitopsContent';

const server = setupServer();
registerMswTestHooks(server);

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
