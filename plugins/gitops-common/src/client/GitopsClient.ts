import { ResponseError } from '@backstage/errors';
import type {
  ApplicationSetStatus,
  ControllerStatus,
  DeploymentHistoryPage,
  EntityDeploymentsResponse,
  FleetPage,
} from '../types';
import type {
  ChangeProposal,
  EntityChangesResponse,
  ProposeChangeRequest,
} from '../promotion';
import type { DeliveryMetrics, TeamDeliveryMetrics } from '../deliveryPerformance';
import type {
  DeliveryMetricsQuery,
  FleetMatrix,
  GitopsActionName,
} from '../api';
import {
  EntityRefParts,
  FleetMatrixQuery,
  FleetOptions,
  GitopsApi,
  HistoryOptions,
} from './GitopsApi';

/**
 * Where the GitOps backend is: the frontend's DiscoveryApi and the backend's
 * DiscoveryService both fit.
 *
 * @public
 */
export interface GitopsDiscovery {
  getBaseUrl(pluginId: string): Promise<string>;
}

/**
 * How requests are sent: the frontend's FetchApi (which adds the user's
 * token), or in a backend module a fetch that adds a service token.
 *
 * @public
 */
export interface GitopsFetch {
  fetch: typeof fetch;
}

function entityPath(entity: EntityRefParts): string {
  return [
    'entities',
    entity.kind.toLocaleLowerCase('en-US'),
    entity.namespace ?? 'default',
    entity.name,
  ]
    .map(encodeURIComponent)
    .join('/');
}

/** A query string in the spec's style: arrays comma separated (explode: false). */
function toQuery(options: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length) params.set(key, value.join(','));
    } else {
      params.set(key, String(value));
    }
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

/**
 * The one client of the GitOps backend's API, for the browser and for
 * backend modules alike (as `@backstage/catalog-client` is): it calls the
 * backend found by `discoveryApi` through `fetchApi` (global fetch when not
 * given), and turns an error answer into a `ResponseError` with the
 * server's own message.
 *
 * @public
 */
export class GitopsClient implements GitopsApi {
  constructor(
    private readonly options: {
      discoveryApi: GitopsDiscovery;
      fetchApi?: GitopsFetch;
    },
  ) {}

  getEntityDeployments(
    entity: EntityRefParts,
  ): Promise<EntityDeploymentsResponse> {
    return this.get(`/${entityPath(entity)}/deployments`);
  }

  getEntityHistory(
    entity: EntityRefParts,
    options: HistoryOptions = {},
  ): Promise<DeploymentHistoryPage> {
    return this.get(`/${entityPath(entity)}/history${toQuery(options)}`);
  }

  getFleet(options: FleetOptions = {}): Promise<FleetPage> {
    return this.get(`/fleet${toQuery(options)}`);
  }

  getFleetMatrix(options: FleetMatrixQuery = {}): Promise<FleetMatrix> {
    return this.get(`/fleet/matrix${toQuery(options)}`);
  }

  getDeliveryMetrics(
    scope: { entity: EntityRefParts } | { fleet: true },
    options: DeliveryMetricsQuery = {},
  ): Promise<DeliveryMetrics> {
    if ('fleet' in scope) {
      return this.get(`/metrics/fleet${toQuery(options)}`);
    }
    const { kind, namespace, name } = scope.entity;
    const lower = kind.toLocaleLowerCase('en-US');
    // teams and systems have their own endpoints (their members' applications)
    const path =
      lower === 'group' || lower === 'system'
        ? [`${lower}s`, namespace ?? 'default', name]
            .map(encodeURIComponent)
            .join('/')
        : entityPath(scope.entity);
    return this.get(`/metrics/${path}${toQuery(options)}`);
  }

  async getEntityDeliveryMetricsByEnvironment(
    entity: EntityRefParts,
    options: {
      window?: DeliveryMetricsQuery['window'];
      environments: string[];
    },
  ): Promise<DeliveryMetrics[]> {
    if (options.environments.length === 0) return [];
    const { items } = await this.get<{ items: DeliveryMetrics[] }>(
      `/metrics/${entityPath(entity)}/environments${toQuery({
        window: options.window,
        environment: options.environments,
      })}`,
    );
    return items;
  }

  getTeamDeliveryMetrics(
    options: DeliveryMetricsQuery = {},
  ): Promise<TeamDeliveryMetrics[]> {
    return this.get(`/metrics/teams${toQuery(options)}`);
  }

  async getControllers(): Promise<ControllerStatus[]> {
    const { items } = await this.get<{ items: ControllerStatus[] }>(
      '/controllers',
    );
    return items;
  }

  async getApplicationSets(): Promise<ApplicationSetStatus[]> {
    const { items } = await this.get<{ items: ApplicationSetStatus[] }>(
      '/applicationsets',
    );
    return items;
  }

  async getAuditCsv(range: { from: string; to: string }): Promise<string> {
    const query = new URLSearchParams({ ...range, format: 'csv' });
    const res = await this.request(`/audit?${query}`, { method: 'GET' });
    return res.text();
  }

  getEntityChanges(entity: EntityRefParts): Promise<EntityChangesResponse> {
    return this.get(`/${entityPath(entity)}/changes`);
  }

  async proposeChange(
    entity: EntityRefParts,
    request: ProposeChangeRequest,
  ): Promise<ChangeProposal> {
    const res = await this.request(`/${entityPath(entity)}/changes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    return (await res.json()) as ChangeProposal;
  }

  async runAction(request: {
    entity?: EntityRefParts;
    applicationId: string;
    action: GitopsActionName;
  }): Promise<void> {
    const app = `applications/${encodeURIComponent(request.applicationId)}/${
      request.action
    }`;
    const path = request.entity
      ? `/${entityPath(request.entity)}/${app}`
      : `/${app}`;
    await this.request(path, { method: 'POST' });
  }

  private async get<T>(path: string): Promise<T> {
    const res = await this.request(path, { method: 'GET' });
    return (await res.json()) as T;
  }

  private async request(path: string, init: RequestInit): Promise<Response> {
    const baseUrl = await this.options.discoveryApi.getBaseUrl('gitops');
    const fetchApi = this.options.fetchApi ?? { fetch };
    const res = await fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!res.ok) {
      const error = await ResponseError.fromResponse(res);
      // the server's own words (why a proposal conflicts), not "Request
      // failed with 409 Conflict"
      const said = error.body?.error?.message;
      if (said) error.message = said;
      throw error;
    }
    return res;
  }
}
