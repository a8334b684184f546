import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';

/**
 * The demo portal's permission policy, chosen by `permission.demoPolicy`:
 * `allow-all` (the default) or `owners-only`, a policy as a portal writes
 * one, so the GitOps plugin's checks can be tried against the demo as a
 * user would meet them: entities, and every change to their applications
 * (refresh, sync, suspend, promote, roll back), are for their owners and
 * for the users of `permission.demoAdmins`; the fleet page is for everyone;
 * applications no entity claims are managed by admins only.
 */
export class OwnersOnlyPolicy implements PermissionPolicy {
  constructor(private readonly admins: string[]) {}

  async handle(
    query: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const ref = user?.info.userEntityRef;
    if (ref && this.admins.includes(ref))
      return { result: AuthorizeResult.ALLOW };
    const { permission } = query;
    if (isResourcePermission(permission, 'catalog-entity')) {
      if (
        permission.attributes.action === 'read' ||
        permission.name.startsWith('gitops.')
      ) {
        return createCatalogConditionalDecision(
          permission,
          catalogConditions.isEntityOwner({
            claims: user?.info.ownershipEntityRefs ?? [],
          }),
        );
      }
      return { result: AuthorizeResult.ALLOW };
    }
    if (permission.name === 'gitops.application.unowned.manage')
      return { result: AuthorizeResult.DENY };
    return { result: AuthorizeResult.ALLOW };
  }
}

class AllowAllPolicy implements PermissionPolicy {
  async handle(): Promise<PolicyDecision> {
    return { result: AuthorizeResult.ALLOW };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'demo-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ policy, config, logger }) {
        const name =
          config.getOptionalString('permission.demoPolicy') ?? 'allow-all';
        if (name === 'allow-all') {
          policy.setPolicy(new AllowAllPolicy());
        } else if (name === 'owners-only') {
          const admins =
            config.getOptionalStringArray('permission.demoAdmins') ?? [];
          policy.setPolicy(new OwnersOnlyPolicy(admins));
        } else {
          throw new Error(
            `permission.demoPolicy must be allow-all or owners-only, not '${name}'`,
          );
        }
        logger.info(`Permission policy of the demo: ${name}`);
      },
    });
  },
});
