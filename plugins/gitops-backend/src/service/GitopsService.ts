import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ControllerStatus,
  DeploymentHistoryPage,
  ApplicationSetStatus,
  EntityDeploymentsResponse,
  EnvironmentSummary,
  FleetMatrix,
  FleetPage,
  FleetQuery,
  GitopsApplication,
  GitopsEngine,
  HealthStatus,
  SyncStatus,
  HistoryQuery,
  GITOPS_ANNOTATIONS,
  PREVIEW_ENVIRONMENT,
  gitopsFleetReadPermission,
  environmentOrder,
  getEntityApplicationSelector,
  rollUpHealth,
  rollUpSync,
  sortEnvironments,
} from '@gitops-portal/plugin-gitops-common';
import {
  ApplicationHead,
  ApplicationQuery,
  FleetMatrixGroup,
  FleetPosition,
  GitopsStore,
} from '../database/GitopsStore';
import { EnvironmentConfig } from '../model/environments';
import { GitService } from '../git/GitService';
import { ProposalStore } from '../database/ProposalStore';
import { ControllerStore } from '../database/ControllerStore';
import { ApplicationSetStore } from '../database/ApplicationSetStore';
import { EntityLink, EntityLinkStore } from '../database/EntityLinkStore';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import { countApplications } from './counts';

/**
 * Environments with more applications than this (a service on many
 * clusters) are answered in summary: counts over all, this many listed.
 */
export const LISTED_PER_ENVIRONMENT = 20;

/**
 * The applications an environment in summary lists: one running the most
 * common revision (what the environment runs, for its commit and promotion),
 * then the least healthy, by name.
 */
function listedOf(
  heads: ApplicationHead[],
  common: string | undefined,
): ApplicationHead[] {
  // by code unit, not locale: 1,000 locale comparisons cost a millisecond
  const compare = (x: string, y: string) => Number(x > y) - Number(x < y);
  const worstFirst = [...heads].sort(
    (a, b) =>
      b.severity - a.severity || compare(a.name, b.name) || compare(a.id, b.id),
  );
  // the healthiest on that revision: the last of it in the order
  const representative = worstFirst.findLast(h => h.revision === common);
  const rest = worstFirst.filter(h => h !== representative);
  return [...(representative ? [representative] : []), ...rest].slice(
    0,
    LISTED_PER_ENVIRONMENT,
  );
}

/** A page of an entity's history: the spec's query and the entity. */
export type HistoryRequest = HistoryQuery & { entityRef: string };

/** A page of the fleet: the spec's query. */
export type FleetRequest = FleetQuery;

function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeCursor<T>(cursor: string, check: (v: any) => boolean): T {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(value)) return value as T;
  } catch {
    // fall through
  }
  throw new InputError(`Invalid cursor '${cursor}'`);
}

/**
 * Whether a user may read an entity, from the refs they may read
 * (`readableEntities`; undefined: every one, as with permissions off).
 */
const readableBy =
  (readable: string[] | undefined) =>
  (ref: string): boolean =>
    !readable || readable.includes(ref);

/**
 * Reads of the stored GitOps state for entities and for the fleet. Every page
 * is served from the store: no request reaches a controller.
 */
export class GitopsService {
  constructor(
    private readonly options: {
      store: GitopsStore;
      catalog: CatalogService;
      environments: EnvironmentConfig;
      logger: LoggerService;
      git?: GitService;
      /** Proposals, to say which history rows ran a promotion or rollback. */
      proposals?: ProposalStore;
      /** Read status of the controllers: what applications were last read at. */
      controllers?: ControllerStore;
      /** Argo CD ApplicationSets as last read. */
      applicationSets?: ApplicationSetStore;
      /** Checks gitops.fleet.read for fleet-wide reads; none: allowed. */
      permissions?: PermissionsService;
      /**
       * Which entities claim which applications: fleet-wide reads leave out
       * the applications of entities the caller may not read. None: no
       * filtering.
       */
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

  /**
   * Records which entities claim which applications: every catalog entity
   * with a GitOps annotation, read with the backend's own credentials, and
   * the applications its annotations select. Writes only the difference.
   */
  /**
   * Reads which entities claim which applications every `intervalSeconds`,
   * for fleet-wide reads that leave out what a user may not read.
   */
  async scheduleEntityLinks(
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
          this.queriesForEntity(entity),
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

  /** The application, if the caller may see it (404 otherwise). */
  async getVisibleApplication(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<GitopsApplication> {
    const app = await this.getApplication(id);
    const readable = await this.readableEntities(credentials);
    if (readable && this.options.links) {
      const claims = (await this.options.links.entitiesOf([id])).get(id);
      if (claims && !claims.some(readableBy(readable)))
        throw new NotFoundError(`GitOps application '${id}' not found`);
    }
    return app;
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

  /** Every controller's read status. */
  async listControllers(
    credentials: BackstageCredentials,
  ): Promise<ControllerStatus[]> {
    await this.authorizeFleetRead(credentials);
    return (await this.options.controllers?.list()) ?? [];
  }

  /** Every ApplicationSet with its conditions and progressive-sync steps. */
  async listApplicationSets(
    credentials: BackstageCredentials,
  ): Promise<ApplicationSetStatus[]> {
    await this.authorizeFleetRead(credentials);
    const sets = (await this.options.applicationSets?.list()) ?? [];
    const readable = await this.readableEntities(credentials);
    if (!readable || sets.length === 0) return sets;
    // a set whose generated applications the reader may see none of is
    // left out; the others list only the applications the reader may see
    const { store } = this.options;
    const [all, visible] = await Promise.all([
      store.listApplicationSetMembers({}),
      store.listApplicationSetMembers({ readable }),
    ]);
    const key = (s: { instance: string; namespace: string }, name: string) =>
      JSON.stringify([s.instance, s.namespace, name]);
    const generated = new Set(all.map(m => key(m, m.applicationSet)));
    const shown = new Map<string, Set<string>>();
    for (const m of visible) {
      const k = key(m, m.applicationSet);
      shown.set(k, (shown.get(k) ?? new Set()).add(m.name));
    }
    return sets.flatMap(set => {
      const k = key(set, set.name);
      if (!generated.has(k)) return [set];
      const names = shown.get(k);
      if (!names) return [];
      return [
        {
          ...set,
          applications: set.applications.filter(a => names.has(a.application)),
        },
      ];
    });
  }

  /** The ApplicationSets that generated these applications. */
  private async applicationSetsOf(
    apps: Array<
      Pick<
        GitopsApplication,
        'engine' | 'instance' | 'namespace' | 'applicationSet'
      >
    >,
  ): Promise<ApplicationSetStatus[]> {
    const keys = new Map<
      string,
      { instance: string; namespace: string; name: string }
    >();
    for (const app of apps) {
      if (app.engine !== 'argocd' || !app.applicationSet) continue;
      const key = {
        instance: app.instance,
        namespace: app.namespace,
        name: app.applicationSet,
      };
      keys.set(JSON.stringify(key), key);
    }
    if (!this.options.applicationSets || keys.size === 0) return [];
    return this.options.applicationSets.get([...keys.values()]);
  }

  /**
   * Applications as last read: unchanged applications are (rightly) not
   * rewritten, so the time they were read is their controller's last
   * successful read, kept in one row per controller.
   */
  private async withReadTimes<T extends GitopsApplication>(
    apps: T[],
  ): Promise<T[]> {
    if (!this.options.controllers || apps.length === 0) return apps;
    const status = await this.options.controllers.get(apps);
    return apps.map(app => {
      const at = status.get(`${app.engine}:${app.instance}`)?.lastSuccessAt;
      return at && at > app.lastReadAt ? { ...app, lastReadAt: at } : app;
    });
  }

  /** Each application with the readable entity that claims it (its Backstage page). */
  private async withEntities<T extends GitopsApplication>(
    apps: T[],
    readable: string[] | undefined,
  ): Promise<T[]> {
    if (!this.options.links || apps.length === 0) return apps;
    const claims = await this.options.links.entitiesOf(apps.map(a => a.id));
    return apps.map(app => {
      const [entityRef] = (claims.get(app.id) ?? [])
        .filter(readableBy(readable))
        .sort();
      return entityRef ? { ...app, entityRef } : app;
    });
  }

  /** The entity, or a NotFoundError naming it. */
  async getEntity(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<Entity> {
    const entity = await this.options.catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) {
      throw new NotFoundError(`Entity '${entityRef}' not found`);
    }
    return entity;
  }

  /** Store queries that select the applications of an entity. */
  queriesForEntity(entity: Entity): ApplicationQuery[] {
    let selector;
    try {
      selector = getEntityApplicationSelector(entity);
    } catch (e) {
      throw new InputError(
        `Entity '${stringifyEntityRef(
          entity,
        )}' has an invalid GitOps annotation: ${(e as Error).message}`,
      );
    }
    if (!selector) return [];
    const common = {
      engine: 'argocd' as const,
      instance: selector.argocdInstance,
      namespace: selector.argocdNamespace,
      project: selector.argocdProject,
    };
    const queries: ApplicationQuery[] = [];
    if (selector.argocdAppNames) {
      queries.push({ ...common, names: selector.argocdAppNames });
    }
    if (selector.argocdLabelSelector) {
      queries.push({ ...common, labels: selector.argocdLabelSelector });
    }
    if (selector.kubernetesId) {
      queries.push({
        engine: 'flux',
        labels: [
          {
            key: GITOPS_ANNOTATIONS.KUBERNETES_ID,
            operator: 'In',
            values: [selector.kubernetesId],
          },
        ],
      });
    }
    if (selector.kubernetesLabelSelector) {
      queries.push({
        engine: 'flux',
        labels: selector.kubernetesLabelSelector,
      });
    }
    for (const o of selector.fluxObjects ?? []) {
      queries.push({
        engine: 'flux',
        instance: o.cluster,
        namespace: o.namespace,
        kind: o.kind,
        names: [o.name],
      });
    }
    return queries;
  }

  async getApplicationsForEntity(entity: Entity): Promise<GitopsApplication[]> {
    return this.options.store.findApplications(this.queriesForEntity(entity));
  }

  async getEntityDeployments(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityDeploymentsResponse> {
    const entity = await this.getEntity(entityRef, credentials);
    // columns first: an edge service's environment of 1,000 clusters is
    // counted from them, and only the applications listed are read whole
    const heads = await this.options.store.findApplicationHeads(
      this.queriesForEntity(entity),
    );
    // a service registered since the claims were last read: its page hears
    // its signals from now on, not after the next refresh
    await this.options.links?.claim(
      stringifyEntityRef(entity),
      heads.map(h => h.id),
    );
    const byEnv = new Map<string, ApplicationHead[]>();
    // pull-request previews: listed apart, never in the promotion order
    const previewHeads: ApplicationHead[] = [];
    for (const head of heads) {
      if (head.environment === PREVIEW_ENVIRONMENT) {
        previewHeads.push(head);
        continue;
      }
      const envHeads = byEnv.get(head.environment);
      if (envHeads) envHeads.push(head);
      else byEnv.set(head.environment, [head]);
    }
    const listed = new Map<string, ApplicationHead[]>();
    const summaries = new Map<string, EnvironmentSummary>();
    for (const [env, envHeads] of byEnv) {
      if (envHeads.length <= LISTED_PER_ENVIRONMENT) {
        listed.set(env, envHeads);
        continue;
      }
      const { health: _h, sync: _s, ...counts } = countApplications(envHeads);
      const shown = listedOf(envHeads, counts.revisions[0]?.revision);
      listed.set(env, shown);
      summaries.set(env, { ...counts, listed: shown.length });
    }
    const apps = new Map(
      (
        await this.withReadTimes(
          await this.options.store.getApplications(
            [...listed.values()].flat().map(h => h.id),
          ),
        )
      ).map(a => [a.id, a]),
    );
    const { order } = this.options.environments;
    const environments = sortEnvironments([...byEnv.keys()], order).map(env => {
      const envHeads = byEnv.get(env)!;
      const summary = summaries.get(env);
      return {
        environment: env,
        order: environmentOrder(env, order),
        syncStatus: rollUpSync(envHeads.map(a => a.syncStatus)),
        healthStatus: rollUpHealth(envHeads.map(a => a.healthStatus)),
        // removed since the heads were read: left out
        applications: listed
          .get(env)!
          .flatMap(h => (apps.has(h.id) ? [apps.get(h.id)!] : [])),
        ...(summary ? { summary } : {}),
      };
    });
    const sets = await this.applicationSetsOf(heads);
    const applicationSets = sets.length ? { applicationSets: sets } : {};
    const previews = await this.previewsOf(previewHeads);
    const previewList = previews.length ? { previews } : {};
    if (!this.options.git) {
      return {
        entityRef: stringifyEntityRef(entity),
        environments,
        ...previewList,
        ...applicationSets,
      };
    }
    const annotated = await this.options.git.annotate(environments);
    return {
      entityRef: stringifyEntityRef(entity),
      ...annotated,
      ...previewList,
      ...applicationSets,
    };
  }

  /** The previews read whole, newest pull request first (at most {@link LISTED_PER_ENVIRONMENT}). */
  private async previewsOf(heads: ApplicationHead[]) {
    if (heads.length === 0) return [];
    const apps = await this.withReadTimes(
      await this.options.store.getApplications(heads.map(h => h.id)),
    );
    return apps
      .filter(a => a.preview)
      .sort(
        (a, b) =>
          b.preview!.pullRequest.number - a.preview!.pullRequest.number ||
          a.id.localeCompare(b.id),
      )
      .slice(0, LISTED_PER_ENVIRONMENT);
  }

  async getEntityHistory(
    request: HistoryRequest,
    credentials: BackstageCredentials,
  ): Promise<DeploymentHistoryPage> {
    const entity = await this.getEntity(request.entityRef, credentials);
    const apps = await this.getApplicationsForEntity(entity);
    const cursor = request.cursor
      ? decodeCursor<{ finishedAt: string; id: string }>(
          request.cursor,
          v => typeof v?.finishedAt === 'string' && typeof v?.id === 'string',
        )
      : undefined;
    // the spec's default; stored times are UTC ISO strings, compared as text
    const limit = request.limit ?? 50;
    const iso = (s?: string) => (s ? new Date(s).toISOString() : undefined);
    const rows = await this.options.store.listDeployments({
      applicationIds: apps.map(a => a.id),
      environment: request.environment,
      from: iso(request.from),
      to: iso(request.to),
      cursor,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const described = this.options.git
      ? await this.options.git.annotateHistory(page)
      : page;
    const ran = await this.options.proposals?.forDeployments(
      page.map(d => d.id),
    );
    const items = described.map(d => {
      const p = ran?.find(x => x.deploymentId === d.id);
      return p
        ? {
            ...d,
            proposal: {
              id: p.id!,
              action: p.action,
              createdBy: p.createdBy,
              url: p.url,
              branch: p.branch,
              pullRequestNumber: p.pullRequestNumber,
            },
          }
        : d;
    });
    return {
      items,
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ finishedAt: last.finishedAt, id: last.id })
          : undefined,
    };
  }

  /**
   * Service × environment over the fleet: each cell counts the
   * applications of a service in an environment across every cluster, with
   * the revisions they run, most common first.
   */
  /** The applications of what an owner owns; undefined without an owner filter. */
  private async ownedApplicationIds(
    owner: string | undefined,
    credentials: BackstageCredentials,
  ): Promise<string[] | undefined> {
    if (!owner) return undefined;
    return this.applicationIdsWhere(
      { 'relations.ownedBy': ownerRef(owner) },
      credentials,
    );
  }

  async getFleetMatrix(
    request: {
      engine?: GitopsEngine[];
      syncStatus?: SyncStatus[];
      healthStatus?: HealthStatus[];
      environment?: string[];
      owner?: string;
      text?: string;
    },
    credentials: BackstageCredentials,
  ): Promise<FleetMatrix> {
    await this.authorizeFleetRead(credentials);
    // the same filters as the list beside it
    const groups = await this.options.store.fleetMatrix({
      engine: request.engine,
      syncStatus: request.syncStatus,
      healthStatus: request.healthStatus,
      environment: request.environment,
      text: request.text,
      ids: await this.ownedApplicationIds(request.owner, credentials),
      readable: await this.readableEntities(credentials),
    });
    const cells = new Map<string, FleetMatrixGroup[]>();
    for (const g of groups) {
      const key = JSON.stringify([g.service, g.environment]);
      cells.set(key, [...(cells.get(key) ?? []), g]);
    }
    const environments = sortEnvironments(
      [...new Set(groups.map(g => g.environment))],
      this.options.environments.order,
    );
    const services = [...new Set(groups.map(g => g.service))].sort();
    const readable = await this.readableEntities(credentials);
    const claims = await this.options.links?.entitiesOfServices(services);
    const entityOf = (service: string) => {
      const refs = (claims?.get(service) ?? []).filter(readableBy(readable));
      return refs.length === 1 ? { entityRef: refs[0] } : {};
    };
    return {
      environments,
      rows: services.map(service => ({
        service,
        ...entityOf(service),
        cells: environments.flatMap(environment => {
          const gs = cells.get(JSON.stringify([service, environment]));
          return gs ? [{ environment, ...countApplications(gs) }] : [];
        }),
      })),
    };
  }

  async getFleet(
    request: FleetRequest,
    credentials: BackstageCredentials,
  ): Promise<FleetPage> {
    await this.authorizeFleetRead(credentials);
    const after = request.cursor
      ? decodeCursor<FleetPosition>(
          request.cursor,
          v =>
            Number.isInteger(v?.severity) &&
            typeof v?.name === 'string' &&
            typeof v?.id === 'string',
        )
      : undefined;
    const ids = await this.ownedApplicationIds(request.owner, credentials);
    const readable = await this.readableEntities(credentials);
    const { items, totalCount, last } = await this.options.store.listFleet({
      syncStatus: request.syncStatus,
      healthStatus: request.healthStatus,
      environment: request.environment,
      engine: request.engine,
      text: request.text,
      service: request.service,
      ids,
      readable,
      limit: request.limit ?? 100, // the spec's default
      after,
    });
    return {
      items: await this.withEntities(await this.withReadTimes(items), readable),
      totalCount,
      nextCursor: last ? encodeCursor(last) : undefined,
    };
  }

  async getApplication(id: string): Promise<GitopsApplication> {
    const app = await this.options.store.getApplication(id);
    if (!app) {
      throw new NotFoundError(`GitOps application '${id}' not found`);
    }
    return app;
  }

  /**
   * Ids of the applications of the catalog entities matching a filter that
   * the caller may read (e.g. `{ 'relations.ownedBy': 'group:default/a' }`).
   */
  async applicationIdsWhere(
    filter: Record<string, string>,
    credentials: BackstageCredentials,
  ): Promise<string[]> {
    const { items } = await this.options.catalog.getEntities(
      { filter },
      { credentials },
    );
    return this.applicationIdsOfEntities(items);
  }

  /** Ids of the applications of these entities; bad annotations are skipped. */
  async applicationIdsOfEntities(entities: Entity[]): Promise<string[]> {
    const queries = entities.flatMap(e => {
      try {
        return this.queriesForEntity(e);
      } catch {
        return [];
      }
    });
    const apps = await this.options.store.findApplications(queries);
    return apps.map(a => a.id);
  }
}

/**
 * An owner as the catalog's `relations.ownedBy` holds it: a full entity ref,
 * or a group's name (`team-checkout` is `group:default/team-checkout`, as
 * the catalog reads `spec.owner`).
 */
export function ownerRef(owner: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(owner.trim(), {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    throw new InputError(
      `owner must be an entity ref or a group name, not '${owner}'`,
    );
  }
}
