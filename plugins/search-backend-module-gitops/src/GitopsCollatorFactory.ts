import { parseEntityRef } from '@backstage/catalog-model';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  DocumentCollatorFactory,
  IndexableDocument,
} from '@backstage/plugin-search-common';
import {
  formatRevision,
  GitopsApi,
  GitopsApplication,
} from '@gitops-portal/plugin-gitops-common';
import { Readable } from 'node:stream';
import { DEFAULT_LOCATION_TEMPLATE } from './config';

/**
 * A GitOps application in the search index: findable by its name, service,
 * environment, cluster, revision and status.
 *
 * @public
 */
export interface GitopsApplicationDocument extends IndexableDocument {
  /** The application's id in the GitOps backend. */
  applicationId: string;
  engine: string;
  kind: string;
  /** The catalog entity that claims the application (its page). */
  entityRef: string;
  environment: string;
  /** Argo CD instance or Flux cluster, and the destination cluster when named. */
  cluster: string;
  /** Deployed revisions, short (commit SHA, chart version, OCI digest). */
  revision: string;
  syncStatus: string;
  healthStatus: string;
}

/**
 * Indexes every GitOps application that a catalog entity claims, read from
 * the GitOps backend's fleet API (its store, not the controllers). Each
 * document is authorized as its entity (`catalog.entity.read`), so a user
 * finds only applications of entities they may read, as on the Deployments
 * tab. Applications no entity claims (platform add-ons) are not indexed:
 * they are shown on the fleet page to those with `gitops.fleet.read`.
 *
 * @public
 */
export class GitopsCollatorFactory implements DocumentCollatorFactory {
  readonly type = 'gitops';
  readonly visibilityPermission = catalogEntityReadPermission;

  constructor(
    private readonly options: {
      client: Pick<GitopsApi, 'getFleet'>;
      locationTemplate?: string;
    },
  ) {}

  async getCollator(): Promise<Readable> {
    return Readable.from(this.documents());
  }

  private async *documents(): AsyncGenerator<GitopsApplicationDocument> {
    let cursor: string | undefined;
    do {
      const page = await this.options.client.getFleet({ limit: 1000, cursor });
      for (const app of page.items) {
        if (app.entityRef) yield this.toDocument(app, app.entityRef);
      }
      cursor = page.nextCursor;
    } while (cursor);
  }

  private toDocument(
    app: GitopsApplication,
    entityRef: string,
  ): GitopsApplicationDocument {
    const entity = parseEntityRef(entityRef);
    const page = (this.options.locationTemplate ?? DEFAULT_LOCATION_TEMPLATE)
      .replace(':namespace', encodeURIComponent(entity.namespace))
      .replace(
        ':kind',
        encodeURIComponent(entity.kind.toLocaleLowerCase('en-US')),
      )
      .replace(':name', encodeURIComponent(entity.name));
    // one location per application: search engines key documents by it
    // (Lunr keeps one document per location)
    const location = `${page}${
      page.includes('?') ? '&' : '?'
    }application=${encodeURIComponent(app.id)}`;
    const destination = app.destination.name ?? app.destination.server;
    const cluster =
      destination && destination !== app.instance
        ? `${app.instance} → ${destination}`
        : app.instance;
    const revision = app.revisions.map(formatRevision).join(', ');
    return {
      title: app.name,
      text: [
        `${app.kind} of ${entity.name} in ${app.environment} on ${cluster}`,
        `${app.syncStatus}, ${app.healthStatus}`,
        revision && `revision ${revision}`,
        app.images?.length ? `images ${app.images.join(' ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
      location,
      applicationId: app.id,
      engine: app.engine,
      kind: app.kind,
      entityRef,
      environment: app.environment,
      cluster,
      revision,
      syncStatus: app.syncStatus,
      healthStatus: app.healthStatus,
      authorization: { resourceRef: entityRef },
    };
  }
}
