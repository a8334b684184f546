import {
  createFrontendModule,
  createTranslationMessages,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderInTestApp,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { TranslationBlueprint } from '@backstage/plugin-app-react';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { TestApiProvider } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { bareEntity } from './__fixtures__/data';
import plugin, {
  entityGitopsContent,
  gitopsFleetPage,
  gitopsTranslationRef,
} from './alpha';
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

  it('lets a portal reword the plugin through its translation ref', async () => {
    const french = TranslationBlueprint.make({
      name: 'gitops-fr',
      params: {
        resource: createTranslationMessages({
          ref: gitopsTranslationRef,
          messages: {
            'fleet.title': 'Flotte GitOps',
            'fleet.subtitle': "Toutes les applications, d'abord en échec",
          },
        }),
      },
    });
    renderTestApp({
      extensions: [gitopsFleetPage],
      // as a portal does: translations are given to the app plugin
      features: [
        createFrontendModule({ pluginId: 'app', extensions: [french] }),
      ],
      initialRouteEntries: ['/gitops'],
      apis: [[gitopsApiRef, api]],
    });
    expect(
      await screen.findByText('Flotte GitOps', undefined, { timeout: 15_000 }),
    ).toBeInTheDocument();
    expect(
      screen.getByText("Toutes les applications, d'abord en échec"),
    ).toBeInTheDocument();
    // messages the portal did not override keep their defaults
    expect(screen.getByText('Applications (0)')).toBeInTheDocument();
    expect(screen.queryByText('GitOps fleet')).not.toBeInTheDocument();
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
