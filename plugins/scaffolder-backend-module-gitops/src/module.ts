import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createProposeAction } from './actions/propose';
import { createPublishAction } from './actions/publish';
import { createRenderAction } from './actions/render';

/**
 * The GitOps scaffolder actions: `gitops:render`, `gitops:propose`, `gitops:publish:git`.
 *
 * @public
 */
export const scaffolderModuleGitops = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'gitops',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, config }) {
        scaffolder.addActions(
          createRenderAction(),
          createProposeAction({ config }),
          createPublishAction({ config }),
        );
      },
    });
  },
});
