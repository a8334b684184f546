import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { GitopsClient, gitopsApiRef } from './api';
import { rootRouteRef } from './routes';

/**
 * The GitOps plugin for apps on the legacy frontend system.
 *
 * @public
 */
export const gitopsPlugin = createPlugin({
  id: 'gitops',
  apis: [
    createApiFactory({
      api: gitopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new GitopsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: { root: rootRouteRef },
});

/**
 * The Deployments tab for entity pages (legacy frontend system).
 *
 * @public
 */
export const EntityGitOpsContent: () => JSX.Element = gitopsPlugin.provide(
  createComponentExtension({
    name: 'EntityGitOpsContent',
    component: {
      lazy: () =>
        import('./components/EntityGitopsContent').then(
          m => m.EntityGitopsContent,
        ),
    },
  }),
);

/**
 * The overview card for entity pages (legacy frontend system).
 *
 * @public
 */
export const EntityGitOpsCard: () => JSX.Element = gitopsPlugin.provide(
  createComponentExtension({
    name: 'EntityGitOpsCard',
    component: {
      lazy: () =>
        import('./components/EntityGitopsCard').then(m => m.EntityGitopsCard),
    },
  }),
);

/**
 * The delivery performance card (DORA metrics) for entity overview pages
 * (legacy frontend system).
 *
 * @public
 */
export const EntityDeliveryPerformanceCard: () => JSX.Element =
  gitopsPlugin.provide(
    createComponentExtension({
      name: 'EntityDeliveryPerformanceCard',
      component: {
        lazy: () =>
          import('./components/DeliveryPerformance').then(
            m => m.DeliveryPerformanceCard,
          ),
      },
    }),
  );

/**
 * The fleet page (legacy frontend system).
 *
 * @public
 */
export const GitOpsPage: () => JSX.Element = gitopsPlugin.provide(
  createRoutableExtension({
    name: 'GitOpsPage',
    component: () => import('./components/FleetPage').then(m => m.FleetPage),
    mountPoint: rootRouteRef,
  }),
);
