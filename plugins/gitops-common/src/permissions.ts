import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Ask the controller to refresh (re-read Git and compare) an application of an entity.
 *
 * @public
 */
export const gitopsApplicationRefreshPermission = createPermission({
  name: 'gitops.application.refresh',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Ask the controller to sync (apply the desired state) an application of an entity.
 *
 * @public
 */
export const gitopsApplicationSyncPermission = createPermission({
  name: 'gitops.application.sync',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Suspend or resume reconciliation of a Flux object of an entity.
 *
 * @public
 */
export const gitopsApplicationSuspendPermission = createPermission({
  name: 'gitops.application.suspend',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Refresh or sync applications that belong to no catalog entity (platform add-ons).
 *
 * @public
 */
export const gitopsUnownedApplicationManagePermission = createPermission({
  name: 'gitops.application.unowned.manage',
  attributes: { action: 'update' },
});

/**
 * All permissions of the GitOps plugins.
 *
 * @public
 */
export const gitopsPermissions = [
  gitopsApplicationRefreshPermission,
  gitopsApplicationSyncPermission,
  gitopsApplicationSuspendPermission,
  gitopsUnownedApplicationManagePermission,
];
