import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DeploymentHistoryPage,
  ApplicationSetStatus,
  EntityDeploymentsResponse,
  EnvironmentSummary,
  GitopsApplication,
  HistoryQuery,
  PREVIEW_ENVIRONMENT,
  environmentOrder,
  rollUpHealth,
  rollUpSync,
  sortEnvironments,
} from '@gitops-portal/plugin-gitops-common';
import { ApplicationHead, GitopsStore } from '../database/GitopsStore';
import { EnvironmentConfig } from '../model/environments';
import { GitService } from '../git/GitService';
import { ProposalStore } from '../database/ProposalStore';
import { ControllerStore } from '../database/ControllerStore';
import { ApplicationSetStore } from '../database/ApplicationSetStore';
import { EntityLinkStore } from '../database/EntityLinkStore';
import { countApplications } from './counts';
import { decodeCursor, encodeCursor } from './cursor';
import { applicationQueriesOf } from './entityQueries';
import { EntityVisibility, readableBy } from './EntityVisibility';
import { withReadTimes } from './readTimes';

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

/**
 * Reads of the stored GitOps state for entities: their deployments,
 * previews and history, each from the store (no request reaches a
 * controller). Fleet-wide reads are FleetService's.
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
      /** Who may see what; made from the options above when not given. */
      visibility?: EntityVisibility;
    },
  ) {
    this.visibility = options.visibility ?? new EntityVisibility(options);
  }

  /** Who may see what: the claims of entities, and what a caller may read. */
  readonly visibility: EntityVisibility;

  /** The application, if the caller may see it (404 otherwise). */
  async getVisibleApplication(
    id: string,
    credentials: BackstageCredentials,
  ): Promise<GitopsApplication> {
    const app = await this.getApplication(id);
    const readable = await this.visibility.readableEntities(credentials);
    if (readable && this.options.links) {
      const claims = (await this.options.links.entitiesOf([id])).get(id);
      if (claims && !claims.some(readableBy(readable)))
        throw new NotFoundError(`GitOps application '${id}' not found`);
    }
    return app;
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

  async getApplicationsForEntity(entity: Entity): Promise<GitopsApplication[]> {
    return this.options.store.findApplications(applicationQueriesOf(entity));
  }

  async getEntityDeployments(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityDeploymentsResponse> {
    const entity = await this.getEntity(entityRef, credentials);
    // columns first: an edge service's environment of 1,000 clusters is
    // counted from them, and only the applications listed are read whole
    const heads = await this.options.store.findApplicationHeads(
      applicationQueriesOf(entity),
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
        await withReadTimes(
          this.options.controllers,
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
    const apps = await withReadTimes(
      this.options.controllers,
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
        return applicationQueriesOf(e);
      } catch {
        return [];
      }
    });
    const apps = await this.options.store.findApplications(queries);
    return apps.map(a => a.id);
  }
}
