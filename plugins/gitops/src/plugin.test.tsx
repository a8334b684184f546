import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { bareEntity, entity } from './__fixtures__/data';
import { gitopsApiRef } from './api';
import { fakeGitopsApi } from './__testUtils__/fakeApi';
import {
  EntityGitOpsCard,
  EntityGitOpsContent,
  GitOpsPage,
  gitopsPlugin,
  isGitOpsAvailable,
} from './index';

jest.setTimeout(30_000);

const api = fakeGitopsApi();

describe('legacy frontend exports', () => {
  it('declares the plugin', () => {
    expect(gitopsPlugin.getId()).toBe('gitops');
  });

  it('tells whether an entity has GitOps annotations', () => {
    expect(isGitOpsAvailable(entity)).toBe(true);
    expect(isGitOpsAvailable(bareEntity)).toBe(false);
  });

  it('renders the tab, the card and the page', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [gitopsApiRef, api],
          // every portal has it: the page asks before offering actions
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <EntityProvider entity={entity}>
          <EntityGitOpsContent />
          <EntityGitOpsCard />
        </EntityProvider>
        <Routes>
          <Route path="/gitops" element={<GitOpsPage />} />
        </Routes>
      </TestApiProvider>,
      {
        mountedRoutes: { '/gitops': gitopsPlugin.routes.root },
        routeEntries: ['/gitops'],
      },
    );
    expect(
      await screen.findByText('No deployments found', undefined, {
        timeout: 15_000,
      }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('No deployments found.'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('GitOps fleet', undefined, { timeout: 15_000 }),
    ).toBeInTheDocument();
  });
});
