import {
  AuthService,
  DiscoveryService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  CatalogService,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { GitopsApplication } from '@gitops-portal/plugin-gitops-common';
import { createGitopsServiceClient } from '@gitops-portal/plugin-gitops-node';
import { createHash } from 'node:crypto';
import { applicationToEntity } from './applicationEntities';

const fingerprint = (e: Entity) =>
  createHash('sha256').update(JSON.stringify(e)).digest('hex');

/**
 * Puts every GitOps application into the catalog as a Resource entity, with
 * its status as labels and tags. Reads the gitops backend's fleet API (one
 * paged read per cycle) and writes only what changed: delta mutations, no
 * full re-emit, nothing at all on an unchanged cycle.
 */
export class GitopsEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private emitted?: Map<string, string>;

  constructor(
    private readonly options: {
      discovery: DiscoveryService;
      auth: AuthService;
      catalog: CatalogService;
      logger: LoggerService;
      taskRunner: SchedulerServiceTaskRunner;
      defaultOwner: string;
    },
  ) {}

  getProviderName() {
    return 'gitops';
  }

  async connect(connection: EntityProviderConnection) {
    this.connection = connection;
    await this.options.taskRunner.run({
      id: `${this.getProviderName()}:refresh`,
      fn: async () => {
        try {
          await this.refresh();
        } catch (error) {
          this.options.logger.warn(
            `GitOps catalog refresh failed: ${(error as Error).message}`,
          );
        }
      },
    });
  }

  private async fleet(): Promise<GitopsApplication[]> {
    const client = createGitopsServiceClient(this.options);
    const apps: GitopsApplication[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.getFleet({ limit: 1000, cursor });
      apps.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return apps;
  }

  /** One cycle: read the fleet, emit the entities that changed, remove the gone. */
  async refresh(): Promise<{ added: number; removed: number }> {
    if (!this.connection)
      throw new Error('GitopsEntityProvider is not connected');
    const apps = await this.fleet();
    const credentials = await this.options.auth.getOwnServiceCredentials();
    const { items: components } = await this.options.catalog.getEntities(
      { filter: { kind: 'Component' } },
      { credentials },
    );
    const entities = apps.map(app =>
      applicationToEntity({
        app,
        components,
        defaultOwner: this.options.defaultOwner,
        providerName: this.getProviderName(),
      }),
    );
    const next = new Map(entities.map(e => [e.metadata.name, fingerprint(e)]));
    const locationKey = `${this.getProviderName()}-provider`;
    if (!this.emitted) {
      // first cycle after start: one full mutation establishes the set
      await this.connection.applyMutation({
        type: 'full',
        entities: entities.map(entity => ({ entity, locationKey })),
      });
      this.emitted = next;
      return { added: entities.length, removed: 0 };
    }
    const previous = this.emitted;
    const added = entities.filter(
      e => previous.get(e.metadata.name) !== next.get(e.metadata.name),
    );
    const removedNames = [...previous.keys()].filter(n => !next.has(n));
    if (added.length || removedNames.length) {
      await this.connection.applyMutation({
        type: 'delta',
        added: added.map(entity => ({ entity, locationKey })),
        removed: removedNames.map(name => ({
          entityRef: `resource:default/${name}`,
          locationKey,
        })),
      });
    }
    this.emitted = next;
    return { added: added.length, removed: removedNames.length };
  }
}
