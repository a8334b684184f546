import { ForwardedError, ResponseError } from '@backstage/errors';
import { ArgoInstanceConfig } from '../../config';
import {
  ArgoApplication,
  ArgoApplicationList,
  ArgoApplicationSet,
  ArgoApplicationSetList,
  ArgoApplicationTree,
} from './types';
import { ArgoHttp } from './ArgoHttp';

/** One event of Argo CD's application stream (`v1alpha1ApplicationWatchEvent`). */
export interface ArgoWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | string;
  application: ArgoApplication;
}

/** The longest stream line kept in memory: one application, never a list. */
const MAX_EVENT_BYTES = 8 * 1024 * 1024;

/** Fields the list call asks for, so Argo CD sends no resource trees. */
export const LIST_FIELDS = [
  'metadata.resourceVersion',
  'items.metadata.name',
  'items.metadata.namespace',
  'items.metadata.labels',
  // pull-request previews are told by annotations (README, "Previews")
  'items.metadata.annotations',
  'items.metadata.creationTimestamp',
  'items.metadata.ownerReferences',
  'items.spec.project',
  'items.spec.source',
  'items.spec.sources',
  'items.spec.destination',
  'items.spec.sourceHydrator',
  'items.status.sync',
  'items.status.health',
  'items.status.history',
  'items.status.operationState',
  'items.status.conditions',
  'items.status.reconciledAt',
  'items.status.summary',
  'items.status.resources',
  'items.status.resourceHealthSource',
  'items.status.sourceHydrator',
].join(',');

/**
 * A client of one Argo CD instance's REST API: applications (listed and
 * streamed), ApplicationSets, resource trees, live resources, refresh and
 * sync. HTTP, authentication and retries are ArgoHttp's.
 */
export class ArgoClient {
  private readonly http: ArgoHttp;

  constructor(private readonly config: ArgoInstanceConfig) {
    this.http = new ArgoHttp(config);
  }

  async listApplications(signal?: AbortSignal): Promise<ArgoApplication[]> {
    const namespaces = this.config.appNamespaces ?? [undefined];
    const result: ArgoApplication[] = [];
    for (const ns of namespaces) {
      const query = new URLSearchParams({ fields: LIST_FIELDS });
      if (ns) query.set('appNamespace', ns);
      const list = await this.http.request<ArgoApplicationList>({
        method: 'GET',
        path: `/api/v1/applications?${query}`,
        signal,
      });
      result.push(...(list.items ?? []));
    }
    return result;
  }

  /**
   * Follows `GET /api/v1/stream/applications` (newline-delimited JSON of
   * `{"result": {"type", "application"}}`) until `signal` aborts or the
   * server ends the stream, calling `onEvent` for each event in order. Argo
   * CD starts with an ADDED event per application and may drop events under
   * load (it does not replay), so a watch is only ever a way to learn sooner:
   * full lists still reconcile. Throws on an error status, an error in the
   * stream, or a line longer than 8 MB.
   */
  async watchApplications(options: {
    signal: AbortSignal;
    onEvent: (event: ArgoWatchEvent) => Promise<void> | void;
  }): Promise<void> {
    const namespaces = this.config.appNamespaces ?? [undefined];
    await Promise.all(namespaces.map(ns => this.watchNamespace(ns, options)));
  }

  private async watchNamespace(
    namespace: string | undefined,
    options: {
      signal: AbortSignal;
      onEvent: (event: ArgoWatchEvent) => Promise<void> | void;
    },
  ): Promise<void> {
    const query = new URLSearchParams();
    if (namespace) query.set('appNamespace', namespace);
    const path = `/api/v1/stream/applications${query.size ? `?${query}` : ''}`;
    const open = async (token: string) => {
      try {
        // no request timeout: the stream stays open until the caller aborts
        return await fetch(`${this.config.url}${path}`, {
          headers: { authorization: `Bearer ${token}` },
          signal: options.signal,
          ...(this.http.dispatcher ? { dispatcher: this.http.dispatcher } : {}),
        } as RequestInit);
      } catch (error) {
        if (options.signal.aborted) throw error;
        throw new Error(
          `Argo CD '${this.config.name}' is unreachable: ${
            (error as Error).message
          }`,
        );
      }
    };
    let res = await open(await this.http.token());
    if (res.status === 401 && !this.config.token) {
      res = await open(await this.http.token(true));
    }
    if (!res.ok || !res.body) {
      throw new ForwardedError(
        `Argo CD '${this.config.name}' answered ${res.status} to GET /api/v1/stream/applications`,
        await ResponseError.fromResponse(res),
      );
    }
    const decoder = new TextDecoder();
    let buffer = '';
    const handle = async (line: string) => {
      if (!line.trim()) return;
      let message: {
        result?: ArgoWatchEvent;
        error?: { message?: string; grpc_code?: number; http_code?: number };
      };
      try {
        message = JSON.parse(line);
      } catch {
        throw new Error(
          `Argo CD '${this.config.name}' sent a stream line that is not JSON (${line.length} bytes)`,
        );
      }
      if (message.error) {
        throw new Error(
          `Argo CD '${
            this.config.name
          }' ended its application stream with an error: ${
            message.error.message ?? JSON.stringify(message.error)
          }`,
        );
      }
      if (message.result?.application) await options.onEvent(message.result);
    };
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline = buffer.indexOf('\n');
        while (newline >= 0) {
          await handle(buffer.slice(0, newline));
          buffer = buffer.slice(newline + 1);
          newline = buffer.indexOf('\n');
        }
        if (buffer.length > MAX_EVENT_BYTES) {
          throw new Error(
            `Argo CD '${this.config.name}' sent a stream event over ${MAX_EVENT_BYTES} bytes`,
          );
        }
      }
      await handle(buffer);
    } catch (error) {
      if (options.signal.aborted) return;
      throw error;
    }
  }

  /** Every ApplicationSet the instance (or its configured namespaces) has. */
  async listApplicationSets(
    signal?: AbortSignal,
  ): Promise<ArgoApplicationSet[]> {
    const namespaces = this.config.appNamespaces ?? [undefined];
    const result: ArgoApplicationSet[] = [];
    for (const ns of namespaces) {
      const query = new URLSearchParams();
      if (ns) query.set('appsetNamespace', ns);
      const list = await this.http.request<ArgoApplicationSetList>({
        method: 'GET',
        path: `/api/v1/applicationsets?${query}`,
        signal,
      });
      result.push(...(list.items ?? []));
    }
    return result;
  }

  /** The resource tree of an application (Argo CD 3.x keeps resource health there). */
  async getResourceTree(
    app: { name: string; namespace: string },
    signal?: AbortSignal,
  ): Promise<ArgoApplicationTree> {
    const query = new URLSearchParams({ appNamespace: app.namespace });
    return this.http.request<ArgoApplicationTree>({
      method: 'GET',
      path: `/api/v1/applications/${encodeURIComponent(
        app.name,
      )}/resource-tree?${query}`,
      signal,
    });
  }

  /**
   * The live object of one resource of an application, as Argo CD's
   * `GET /api/v1/applications/{name}/resource` returns it (a JSON manifest).
   */
  async getLiveResource(
    app: { name: string; namespace: string },
    resource: {
      group?: string;
      version?: string;
      kind: string;
      namespace?: string;
      name: string;
    },
    signal?: AbortSignal,
  ): Promise<unknown> {
    const query = new URLSearchParams({
      appNamespace: app.namespace,
      resourceName: resource.name,
      kind: resource.kind,
      group: resource.group ?? '',
      version: resource.version ?? '',
    });
    if (resource.namespace) query.set('namespace', resource.namespace);
    const body = await this.http.request<{ manifest?: string }>({
      method: 'GET',
      path: `/api/v1/applications/${encodeURIComponent(
        app.name,
      )}/resource?${query}`,
      signal,
    });
    if (!body.manifest) {
      throw new Error(
        `Argo CD returned no manifest for ${resource.kind} ${resource.name} of ${app.name}`,
      );
    }
    return JSON.parse(body.manifest);
  }

  async refreshApplication(app: { name: string; namespace: string }) {
    const query = new URLSearchParams({
      refresh: 'normal',
      appNamespace: app.namespace,
    });
    await this.http.request<ArgoApplication>({
      method: 'GET',
      path: `/api/v1/applications/${encodeURIComponent(app.name)}?${query}`,
    });
  }

  async syncApplication(app: { name: string; namespace: string }) {
    await this.http.request<ArgoApplication>({
      method: 'POST',
      path: `/api/v1/applications/${encodeURIComponent(app.name)}/sync`,
      body: { name: app.name, appNamespace: app.namespace, prune: false },
    });
  }
}
