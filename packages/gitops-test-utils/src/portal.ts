import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  AuthService,
  BackstagePrincipalAccessRestrictions,
  coreServices,
  createBackendModule,
  createServiceFactory,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';

/**
 * A test's own rule before the owners-only one: a decision, or undefined to
 * go on.
 */
export type PolicyExtra = (
  query: PolicyQuery,
  user?: PolicyQueryUser,
) => PolicyDecision | undefined;

/**
 * A real policy, as a portal writes one: entities are readable by their
 * owners only (a conditional decision the catalog resolves), except for
 * `user:default/admin`; everything else is allowed, unless `extra` decides.
 */
class OwnersOnlyPolicy implements PermissionPolicy {
  constructor(private readonly extra?: PolicyExtra) {}

  async handle(
    query: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (
      isPermission(query.permission, catalogEntityReadPermission) &&
      user?.info.userEntityRef !== 'user:default/admin'
    ) {
      return createCatalogConditionalDecision(
        query.permission,
        catalogConditions.isEntityOwner({
          claims: user?.info.ownershipEntityRefs ?? [],
        }),
      );
    }
    return this.extra?.(query, user) ?? { result: AuthorizeResult.ALLOW };
  }
}

/** The permission backend's policy: owners-only (see OwnersOnlyPolicy). */
export function ownersOnlyPolicyModule(extra?: PolicyExtra) {
  return createBackendModule({
    pluginId: 'permission',
    moduleId: 'owners-only-policy',
    register(reg) {
      reg.registerInit({
        deps: { policy: policyExtensionPoint },
        async init({ policy }) {
          policy.setPolicy(new OwnersOnlyPolicy(extra));
        },
      });
    },
  });
}

/**
 * The mock auth service, except that a token a plugin gets on behalf of a
 * user carries that plugin as its actor, as the real auth service's do: the
 * permission backend takes conditional queries only from such callers.
 */
export const onBehalfOfAuthFactory = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }): AuthService {
    const mock = mockServices.auth({ pluginId: plugin.getId() });
    return {
      authenticate: (token, options) => mock.authenticate(token, options),
      getNoneCredentials: () => mock.getNoneCredentials(),
      getOwnServiceCredentials: () => mock.getOwnServiceCredentials(),
      isPrincipal: mock.isPrincipal.bind(mock) as AuthService['isPrincipal'],
      getLimitedUserToken: credentials => mock.getLimitedUserToken(credentials),
      listPublicServiceKeys: () => mock.listPublicServiceKeys(),
      async getPluginRequestToken(options) {
        const principal = options.onBehalfOf.principal as {
          type: string;
          userEntityRef?: string;
        };
        if (principal.type === 'user' && principal.userEntityRef)
          return {
            token: mockCredentials.user.token(principal.userEntityRef, {
              actor: { subject: `plugin:${plugin.getId()}` },
            }),
          };
        return mock.getPluginRequestToken(options);
      },
    };
  },
});

/**
 * The mock HTTP auth service, plus static tokens with access restrictions:
 * a request bearing one of them is the service principal Backstage's
 * external-access handler makes of a `backend.auth.externalAccess` static
 * token with `accessRestrictions` (subject `external:<name>`).
 */
export function restrictedTokensHttpAuthFactory(
  tokens: Record<
    string,
    {
      subject: string;
      accessRestrictions: BackstagePrincipalAccessRestrictions;
    }
  >,
) {
  return createServiceFactory({
    service: coreServices.httpAuth,
    deps: { plugin: coreServices.pluginMetadata },
    factory({ plugin }): HttpAuthService {
      const mock = mockServices.httpAuth({ pluginId: plugin.getId() });
      return {
        async credentials(req, options) {
          const header = req.headers.authorization ?? '';
          const token = /^Bearer (.+)$/.exec(header)?.[1];
          const restricted = token ? tokens[token] : undefined;
          if (restricted) {
            if (options?.allow && !options.allow.includes('service' as never))
              throw new NotAllowedError('This endpoint is not for services');
            return mockCredentials.service(
              restricted.subject,
              restricted.accessRestrictions,
            ) as any;
          }
          return mock.credentials(req, options as any) as any;
        },
        issueUserCookie: (res, options) => mock.issueUserCookie(res, options),
      };
    },
  });
}

/** Polls `fn` every 250 ms until it answers something, or fails after `ms`. */
export async function until<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `Timed out waiting for ${what}${
          last ? `: ${(last as Error).message}` : ''
        }`,
      );
    await new Promise(r => setTimeout(r, 250));
  }
}
