import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  ApplicationSetStatus,
  ControllerStatus,
  FleetMatrix,
  FleetMatrixQuery,
  FleetPage,
  FleetQuery,
  GitopsApplication,
  sortEnvironments,
} from '@gitops-portal/plugin-gitops-common';
import { ApplicationSetStore } from '../database/ApplicationSetStore';
import { ControllerStore } from '../database/ControllerStore';
import { EntityLinkStore } from '../database/EntityLinkStore';
import {
  FleetMatrixGroup,
  FleetPosition,
  GitopsStore,
} from '../database/GitopsStore';
import { EnvironmentConfig } from '../model/environments';
import { countApplications } from './counts';
import { decodeCursor, encodeCursor } from './cursor';
import { EntityVisibility, readableBy } from './EntityVisibility';
import type { GitopsService } from './GitopsService';
import { withReadTimes } from './readTimes';

/** A page of the fleet: the spec's query. */
export type FleetRequest = FleetQuery;

/**
 * Fleet-wide reads for platform teams: the fleet list and matrix, the
 * controllers and ApplicationSets. Each needs gitops.fleet.read and leaves
 * out what the caller may not read; all are served from the store.
 */
export class FleetService {
  constructor(
    private readonly options: {
      store: GitopsStore;
      environments: EnvironmentConfig;
      visibility: EntityVisibility;
      /** Entity reads: the applications of an owner's entities. */
      gitops: Pick<GitopsService, 'applicationIdsWhere'>;
      controllers?: ControllerStore;
      applicationSets?: ApplicationSetStore;
      links?: EntityLinkStore;
    },
  ) {}

  /** Every controller's read status. */
  async listControllers(
    credentials: BackstageCredentials,
  ): Promise<ControllerStatus[]> {
    await this.options.visibility.authorizeFleetRead(credentials);
    return (await this.options.controllers?.list()) ?? [];
  }

  /** Every ApplicationSet with its conditions and progressive-sync steps. */
  async listApplicationSets(
    credentials: BackstageCredentials,
  ): Promise<ApplicationSetStatus[]> {
    await this.options.visibility.authorizeFleetRead(credentials);
    const sets = (await this.options.applicationSets?.list()) ?? [];
    const readable = await this.options.visibility.readableEntities(
      credentials,
    );
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

  /** The applications of what an owner owns; undefined without an owner filter. */
  private async ownedApplicationIds(
    owner: string | undefined,
    credentials: BackstageCredentials,
  ): Promise<string[] | undefined> {
    if (!owner) return undefined;
    return this.options.gitops.applicationIdsWhere(
      { 'relations.ownedBy': ownerRef(owner) },
      credentials,
    );
  }

  /**
   * Service × environment over the fleet: each cell counts the
   * applications of a service in an environment across every cluster, with
   * the revisions they run, most common first.
   */
  async getFleetMatrix(
    request: FleetMatrixQuery,
    credentials: BackstageCredentials,
  ): Promise<FleetMatrix> {
    await this.options.visibility.authorizeFleetRead(credentials);
    const readable = await this.options.visibility.readableEntities(
      credentials,
    );
    // the same filters as the list beside it
    const groups = await this.options.store.fleetMatrix({
      engine: request.engine,
      syncStatus: request.syncStatus,
      healthStatus: request.healthStatus,
      environment: request.environment,
      text: request.text,
      ids: await this.ownedApplicationIds(request.owner, credentials),
      readable,
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
    await this.options.visibility.authorizeFleetRead(credentials);
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
    const readable = await this.options.visibility.readableEntities(
      credentials,
    );
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
      items: await this.withEntities(
        await withReadTimes(this.options.controllers, items),
        readable,
      ),
      totalCount,
      nextCursor: last ? encodeCursor(last) : undefined,
    };
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
