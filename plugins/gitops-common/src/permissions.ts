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
 * Propose a promotion of an entity's environment (what the previous
 * environment runs) as a change to Git.
 *
 * @public
 */
export const gitopsApplicationPromotePermission = createPermission({
  name: 'gitops.application.promote',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Promote an entity's environment while a freeze window is in force
 * (with `override: true`); every such promotion is audited.
 *
 * @public
 */
export const gitopsApplicationPromoteOverridePermission = createPermission({
  name: 'gitops.application.promote.override',
  attributes: { action: 'update' },
  resourceType: 'catalog-entity',
});

/**
 * Propose a rollback of an entity's environment to an earlier deployment as
 * a change to Git.
 *
 * @public
 */
export const gitopsApplicationRollbackPermission = createPermission({
  name: 'gitops.application.rollback',
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
 * See the whole fleet: the fleet listing and matrix, fleet and team delivery
 * metrics, and controller status. Entity pages need only catalog read.
 *
 * @public
 */
export const gitopsFleetReadPermission = createPermission({
  name: 'gitops.fleet.read',
  attributes: { action: 'read' },
});

/**
 * Export who did what (deployments, proposals, freeze overrides) for a time
 * range: `GET /audit` and the fleet page's export.
 *
 * @public
 */
export const gitopsAuditReadPermission = createPermission({
  name: 'gitops.audit.read',
  attributes: { action: 'read' },
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
  gitopsApplicationPromotePermission,
  gitopsApplicationPromoteOverridePermission,
  gitopsApplicationRollbackPermission,
  gitopsUnownedApplicationManagePermission,
  gitopsFleetReadPermission,
  gitopsAuditReadPermission,
];
