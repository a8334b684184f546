import { createApiRef } from '@backstage/core-plugin-api';
import type { GitopsApi } from '@gitops-portal/plugin-gitops-common';

// the client and its types live in the common package, shared with the
// backend modules (catalog, search, Tech Insights); re-exported here for
// apps that imported them from the frontend plugin
export type {
  EntityRefParts,
  FleetMatrixQuery,
  FleetOptions,
  GitopsApi,
  HistoryOptions,
} from '@gitops-portal/plugin-gitops-common';
export { GitopsClient } from '@gitops-portal/plugin-gitops-common';

/** @public */
export const gitopsApiRef = createApiRef<GitopsApi>({
  id: 'plugin.gitops.api',
});
