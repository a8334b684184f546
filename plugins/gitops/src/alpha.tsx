import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  SearchFilterResultTypeBlueprint,
  SearchResultListItemBlueprint,
} from '@backstage/plugin-search-react/alpha';
import { isGitopsAvailable } from '@gitops-portal/plugin-gitops-common';
import CloudSyncIcon from '@material-ui/icons/CloudUpload';
import { GitopsClient, gitopsApiRef } from './api';

export { gitopsTranslationRef } from './translation';

const fleetRouteRef = createRouteRef();

/** @alpha */
export const gitopsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: gitopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new GitopsClient({ discoveryApi, fetchApi }),
    }),
});

/** @alpha */
export const entityGitopsContent = EntityContentBlueprint.make({
  params: {
    path: '/deployments',
    title: 'Deployments',
    filter: entity => entity.kind === 'Component' || isGitopsAvailable(entity),
    loader: () =>
      import('./components/EntityGitopsContent').then(m => (
        <m.EntityGitopsContent />
      )),
  },
});

/** @alpha */
export const entityGitopsCard = EntityCardBlueprint.make({
  params: {
    filter: isGitopsAvailable,
    loader: () =>
      import('./components/EntityGitopsCard').then(m => <m.EntityGitopsCard />),
  },
});

/** @alpha */
export const entityDeliveryPerformanceCard = EntityCardBlueprint.make({
  name: 'delivery-performance',
  params: {
    filter: isGitopsAvailable,
    loader: () =>
      import('./components/DeliveryPerformance').then(m => (
        <m.DeliveryPerformanceCard />
      )),
  },
});

/** @alpha */
export const gitopsFleetPage = PageBlueprint.make({
  params: {
    path: '/gitops',
    title: 'GitOps',
    icon: <CloudSyncIcon />,
    routeRef: fleetRouteRef,
    loader: () => import('./components/FleetPage').then(m => <m.FleetPage />),
  },
});

/**
 * GitOps applications in the search results (documents of type `gitops`,
 * indexed by `@gitops-portal/plugin-search-backend-module-gitops`).
 *
 * @alpha
 */
export const gitopsSearchResultListItem = SearchResultListItemBlueprint.make({
  params: {
    predicate: result => result.type === 'gitops',
    icon: <CloudSyncIcon />,
    component: () =>
      import('./components/GitopsSearchResultListItem').then(
        m => m.GitopsSearchResultListItem,
      ),
  },
});

/**
 * "GitOps" among the search page's result types.
 *
 * @alpha
 */
export const gitopsSearchResultType = SearchFilterResultTypeBlueprint.make({
  params: {
    value: 'gitops',
    name: 'GitOps',
    icon: <CloudSyncIcon />,
  },
});

/**
 * The GitOps plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'gitops',
  info: { packageJson: () => import('../package.json') },
  routes: { root: fleetRouteRef },
  extensions: [
    gitopsApi,
    entityGitopsContent,
    entityGitopsCard,
    entityDeliveryPerformanceCard,
    gitopsFleetPage,
    gitopsSearchResultListItem,
    gitopsSearchResultType,
  ],
});
