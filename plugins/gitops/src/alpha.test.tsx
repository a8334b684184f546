import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { bareEntity } from './__fixtures__/data';
import plugin, { entityGitopsContent, gitopsFleetPage } from './alpha';
import { gitopsApiRef } from './api';
import { fakeGitopsApi } from './__testUtils__/fakeApi';

jest.setTimeout(30_000);

const api = fakeGitopsApi();

describe('new frontend system', () => {
  it('declares the plugin with its extensions', () => {
    expect(plugin.id).toBe('gitops');
  });

  it('renders the fleet page extension', async () => {
    const tester = createExtensionTester(gitopsFleetPage);
    renderInTestApp(
      <TestApiProvider apis={[[gitopsApiRef, api]]}>
        {tester.reactElement()}
      </TestApiProvider>,
    );
    expect(
      await screen.findByText('GitOps fleet', undefined, { timeout: 15_000 }),
    ).toBeInTheDocument();
  });

  it('renders the entity content extension', async () => {
    const tester = createExtensionTester(entityGitopsContent);
    renderInTestApp(
      <TestApiProvider apis={[[gitopsApiRef, api]]}>
        <EntityProvider entity={bareEntity}>
          {tester.reactElement()}
        </EntityProvider>
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(/Missing Annotation/i, undefined, {
        timeout: 15_000,
      }),
    ).toBeInTheDocument();
  });
});
