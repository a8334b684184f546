import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { GitopsEntityProvider } from './GitopsEntityProvider';
import { readCatalogModuleConfig } from './config';

/**
 * Catalog module: every GitOps application as a Resource entity with its
 * sync, health and environment as labels and tags.
 *
 * @public
 */
export const catalogModuleGitops = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'gitops',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        catalogService: catalogServiceRef,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
      },
      async init(deps) {
        const settings = readCatalogModuleConfig(deps.config);
        deps.catalog.addEntityProvider(
          new GitopsEntityProvider({
            discovery: deps.discovery,
            auth: deps.auth,
            catalog: deps.catalogService,
            logger: deps.logger,
            defaultOwner: settings.defaultOwner,
            taskRunner: deps.scheduler.createScheduledTaskRunner({
              frequency: { seconds: settings.refreshIntervalSeconds },
              timeout: { minutes: 5 },
              initialDelay: { seconds: 3 },
              scope: 'global',
            }),
          }),
        );
      },
    });
  },
});
