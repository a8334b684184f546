import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { createGitopsServiceClient } from '@gitops-portal/plugin-gitops-node';
import { GitopsCollatorFactory } from './GitopsCollatorFactory';
import { readGitopsCollatorConfig } from './config';

/**
 * Search module: GitOps applications in Backstage search (documents of
 * type `gitops`).
 *
 * @public
 */
export const searchModuleGitopsCollator = createBackendModule({
  pluginId: 'search',
  moduleId: 'gitops-collator',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        scheduler: coreServices.scheduler,
        indexRegistry: searchIndexRegistryExtensionPoint,
      },
      async init({ config, discovery, auth, scheduler, indexRegistry }) {
        const settings = readGitopsCollatorConfig(config);
        indexRegistry.addCollator({
          schedule: scheduler.createScheduledTaskRunner(settings.schedule),
          factory: new GitopsCollatorFactory({
            client: createGitopsServiceClient({ auth, discovery }),
            locationTemplate: settings.locationTemplate,
          }),
        });
      },
    });
  },
});
