import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError } from '@backstage/errors';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  GITOPS_ANNOTATIONS,
  gitopsFleetReadPermission,
} from '@gitops-portal/plugin-gitops-common';
import { EntityLink, EntityLinkStore } from '../database/EntityLinkStore';
import { GitopsStore } from '../database/GitopsStore';
import { applicationQueriesOf } from './entityQueries';

/**
 * Whether a user may read an entity, from the refs they may read
 * (`readableEntities`; undefined: every one, as with permissions off).
 */
export const readableBy =
  (readable: string[] | undefined) =>
  (ref: string): boolean =>
    !readable || readable.includes(ref);

/**
 * Who may see what: which entities claim which applications (kept in the
 * store by a scheduled task), which of them a caller may read, and the
 * permission fleet-wide reads need. Fleet-wide reads leave out the
 * applications of entities the caller may not read.
 */
export class EntityVisibility {
  constructor(
    private readonly options: {
      store: GitopsStore;
      catalog: CatalogService;
      logger: LoggerService;
      /** Checks gitops.fleet.read for fleet-wide reads; none: allowed. */
      permissions?: PermissionsService;
      /** Which entities claim which applications. None: no filtering. */
      links?: EntityLinkStore;
    },
  ) {}

  /** The last error of each entity whose claims could not be read, to report it once. */
  private linkErrors = new Map<string, string>();

  /** Readable claiming entities per user, briefly: paging asks again. */
  private readonly readableCache = new Map<
    string,
    { at: number; refs: Promise<string[] | undefined> }
  >();

  /**
   * The entities claiming applications that the caller may read, or
   * undefined for no filtering (the backend's own and other plugins' service
   * calls). The permission policy's answer about `catalog.entity.read`
   * decides: allowed, no filtering; denied, only what no entity claims;
   * conditional (such as "owned by me"), the catalog answers, reading the
   * claiming entities with the caller's credentials. Kept for 10 seconds
   * per user.
   */
  async readableEntities(
    credentials: BackstageCredentials,
  ): Promise<string[] | undefined> {
    const { links, catalog } = this.options;
    const principal = credentials.principal as {
      type?: string;
      userEntityRef?: string;
    };
    if (!links) return undefined;
    if (principal.type === 'service') {
      // a service caller: the backend's own and other plugins' calls read
      // everything; a static or external token whose access restrictions
      // leave out catalog.entity.read sees only what no entity claims
      const decision = await this.options.permissions
        ?.authorizeConditional([{ permission: catalogEntityReadPermission }], {
          credentials,
        })
        .then(([d]) => d.result);
      return decision === undefined || decision === AuthorizeResult.ALLOW
        ? undefined
        : [];
    }
    if (principal.type !== 'user' || !principal.userEntityRef) return [];
    const now = Date.now();
    const cached = this.readableCache.get(principal.userEntityRef);
    if (cached && now - cached.at < 10_000) return cached.refs;
    const refs = (async () => {
      // one who may read every entity (an allow-all policy, an admin) needs
      // no filter; one who may read none sees only what no entity claims
      const decision = await this.options.permissions
        ?.authorizeConditional([{ permission: catalogEntityReadPermission }], {
          credentials,
        })
        .then(([d]) => d.result)
        .catch(() => AuthorizeResult.CONDITIONAL); // let the catalog decide
      if (decision === AuthorizeResult.ALLOW) return undefined;
      if (decision === AuthorizeResult.DENY) return [];
      const claimed = await links.entityRefs();
      const readable: string[] = [];
      for (let i = 0; i < claimed.length; i += 1000) {
        const chunk = claimed.slice(i, i + 1000);
        const { items } = await catalog.getEntitiesByRefs(
          {
            entityRefs: chunk,
            fields: ['kind', 'metadata.namespace', 'metadata.name'],
          },
          { credentials },
        );
        items.forEach((entity, n) => {
          if (entity) readable.push(chunk[n]);
        });
      }
      return readable;
    })();
    if (this.readableCache.size > 1000) this.readableCache.clear();
    this.readableCache.set(principal.userEntityRef, { at: now, refs });
    refs.catch(() => this.readableCache.delete(principal.userEntityRef!));
    return refs;
  }

  /** Fleet-wide reads need gitops.fleet.read (403 otherwise). */
  async authorizeFleetRead(credentials: BackstageCredentials): Promise<void> {
    if (!this.options.permissions) return;
    const [decision] = await this.options.permissions.authorize(
      [{ permission: gitopsFleetReadPermission }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError('Not allowed to read the GitOps fleet');
    }
  }

  /**
   * Reads which entities claim which applications every `intervalSeconds`,
   * for fleet-wide reads that leave out what a user may not read.
   */
  async schedule(
    scheduler: SchedulerService,
    options: {
      intervalSeconds: number;
      credentials: () => Promise<BackstageCredentials>;
    },
  ): Promise<void> {
    await scheduler.scheduleTask({
      id: 'gitops-entity-links',
      scope: 'global',
      frequency: { seconds: options.intervalSeconds },
      timeout: { minutes: 10 },
      initialDelay: { seconds: 5 },
      fn: async () => {
        const result = await this.refreshEntityLinks(
          await options.credentials(),
        );
        if (result.added || result.removed)
          this.options.logger.info(
            `GitOps entity links: ${result.entities} entities, ${result.added} links added, ${result.removed} removed`,
          );
      },
    });
  }

  /**
   * Records which entities claim which applications: every catalog entity
   * with a GitOps annotation, read with the backend's own credentials, and
   * the applications its annotations select. Writes only the difference.
   */
  async refreshEntityLinks(credentials: BackstageCredentials): Promise<{
    entities: number;
    added: number;
    removed: number;
    failed: number;
  }> {
    const { links, catalog } = this.options;
    if (!links) return { entities: 0, added: 0, removed: 0, failed: 0 };
    const { items } = await catalog.getEntities(
      {
        filter: [
          GITOPS_ANNOTATIONS.ARGOCD_APP_NAME,
          GITOPS_ANNOTATIONS.ARGOCD_APP_SELECTOR,
          GITOPS_ANNOTATIONS.KUBERNETES_ID,
          GITOPS_ANNOTATIONS.KUBERNETES_LABEL_SELECTOR,
          GITOPS_ANNOTATIONS.FLUX_OBJECTS,
        ].map(a => ({ [`metadata.annotations.${a}`]: CATALOG_FILTER_EXISTS })),
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'metadata.annotations',
        ],
      },
      { credentials },
    );
    const found: EntityLink[] = [];
    // one entity's bad annotation stops nothing: its claims stay as they
    // were (so what it claimed stays hidden from others), and it is
    // reported once, not on every run
    const failed = new Set<string>();
    const errors = new Map<string, string>();
    for (const entity of items) {
      // the Resources the catalog module makes of applications claim what
      // their Component claims already, or nothing a service owns
      if (entity.metadata.annotations?.['gitops-portal.io/application-id'])
        continue;
      const entityRef = stringifyEntityRef(entity);
      try {
        const apps = await this.options.store.findApplications(
          applicationQueriesOf(entity),
        );
        for (const app of apps)
          found.push({ entityRef, applicationId: app.id });
      } catch (error) {
        failed.add(entityRef);
        const message = String((error as Error).message).slice(0, 500);
        errors.set(entityRef, message);
        if (this.linkErrors.get(entityRef) !== message)
          this.options.logger.warn(
            `GitOps claims of ${entityRef} not updated: ${message}`,
          );
      }
    }
    this.linkErrors = errors;
    const { added, removed } = await links.replace(found, {
      keepEntities: failed,
    });
    return { entities: items.length, added, removed, failed: failed.size };
  }
}
