import { ForwardedError, ResponseError } from '@backstage/errors';
import { Agent } from 'undici';
import { ArgoInstanceConfig } from '../../config';
import {
  ArgoApplication,
  ArgoApplicationList,
  ArgoApplicationSet,
  ArgoApplicationSetList,
  ArgoApplicationTree,
} from './types';

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

const RETRIES = 3;
const BACKOFF_MS = 200;

class RetryableError extends Error {}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * A client of one Argo CD instance's REST API: its own TLS settings, a
 * session token obtained with username/password and renewed on 401, request
 * timeouts, and retries with backoff for idempotent calls.
 */
export class ArgoClient {
  private sessionToken?: Promise<string>;
  private readonly dispatcher?: Agent;

  constructor(private readonly config: ArgoInstanceConfig) {
    if (config.caData || config.skipTLSVerify) {
      this.dispatcher = new Agent({
        connect: {
          ca: config.caData,
          rejectUnauthorized: !config.skipTLSVerify,
        },
      });
    }
  }

  async listApplications(signal?: AbortSignal): Promise<ArgoApplication[]> {
    const namespaces = this.config.appNamespaces ?? [undefined];
    const result: ArgoApplication[] = [];
    for (const ns of namespaces) {
      const query = new URLSearchParams({ fields: LIST_FIELDS });
      if (ns) query.set('appNamespace', ns);
      const list = await this.request<ArgoApplicationList>({
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
          ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
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
    let res = await open(await this.token());
    if (res.status === 401 && !this.config.token) {
      res = await open(await this.token(true));
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
      const list = await this.request<ArgoApplicationSetList>({
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
    return this.request<ArgoApplicationTree>({
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
    const body = await this.request<{ manifest?: string }>({
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
    await this.request<ArgoApplication>({
      method: 'GET',
      path: `/api/v1/applications/${encodeURIComponent(app.name)}?${query}`,
    });
  }

  async syncApplication(app: { name: string; namespace: string }) {
    await this.request<ArgoApplication>({
      method: 'POST',
      path: `/api/v1/applications/${encodeURIComponent(app.name)}/sync`,
      body: { name: app.name, appNamespace: app.namespace, prune: false },
    });
  }

  private async token(renew = false): Promise<string> {
    if (this.config.token) return this.config.token;
    if (!this.sessionToken || renew) {
      this.sessionToken = this.login().catch(e => {
        this.sessionToken = undefined;
        throw e;
      });
    }
    return this.sessionToken;
  }

  private async login(): Promise<string> {
    const res = await this.fetch('/api/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        username: this.config.username,
        password: this.config.password,
      }),
    });
    if (!res.ok) {
      throw new ForwardedError(
        `Argo CD '${this.config.name}' login failed`,
        await ResponseError.fromResponse(res),
      );
    }
    const body = (await res.json()) as { token?: string };
    if (!body.token) {
      throw new Error(`Argo CD '${this.config.name}' login returned no token`);
    }
    return body.token;
  }

  private async request<T>(options: {
    method: 'GET' | 'POST';
    path: string;
    body?: unknown;
    signal?: AbortSignal;
  }): Promise<T> {
    const attempts = options.method === 'GET' ? RETRIES : 1;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) {
        await sleep(BACKOFF_MS * 2 ** (attempt - 1), options.signal);
      }
      try {
        return await this.attempt<T>(options);
      } catch (error) {
        lastError = error;
        if (!(error instanceof RetryableError) || options.signal?.aborted) {
          throw error;
        }
      }
    }
    throw lastError;
  }

  private async attempt<T>(options: {
    method: 'GET' | 'POST';
    path: string;
    body?: unknown;
    signal?: AbortSignal;
  }): Promise<T> {
    const send = async (token: string) =>
      this.fetch(options.path, {
        method: options.method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(options.body ? { 'content-type': 'application/json' } : {}),
        },
        body: options.body ? JSON.stringify(options.body) : undefined,
        signal: options.signal,
      });
    let res = await send(await this.token());
    if (res.status === 401 && !this.config.token) {
      res = await send(await this.token(true));
    }
    if (res.ok) {
      // a proxy's HTML page or a cut-off body, sent with 200: say so
      const text = await this.readCapped(res, options);
      try {
        return JSON.parse(text) as T;
      } catch {
        const type = res.headers.get('content-type') ?? 'no content type';
        throw new Error(
          `Argo CD '${this.config.name}' answered ${options.method} ${
            options.path.split('?')[0]
          } with 200 but not JSON (${type}, ${text.length} bytes${
            text.trimStart().startsWith('<') ? ', an HTML page' : ', cut short'
          }); is the URL the Argo CD API server?`,
        );
      }
    }
    const error = new ForwardedError(
      `Argo CD '${this.config.name}' answered ${res.status} to ${
        options.method
      } ${options.path.split('?')[0]}`,
      await ResponseError.fromResponse(res),
    );
    if (res.status >= 500 || res.status === 429) {
      throw Object.assign(new RetryableError(error.message), {
        cause: error.cause,
      });
    }
    throw error;
  }

  /**
   * The body as text, read chunk by chunk up to `maxResponseBytes`: beyond
   * that the read stops (the connection is dropped) and fails, so one
   * oversized answer never holds more than the limit in memory.
   */
  private async readCapped(
    res: Response,
    options: { method: string; path: string },
  ): Promise<string> {
    const cap = this.config.maxResponseBytes ?? 64 * 1024 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    if (!res.body) return '';
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > cap) {
        await reader.cancel().catch(() => {});
        throw new Error(
          `Argo CD '${this.config.name}' answered ${options.method} ${
            options.path.split('?')[0]
          } with more than ${Math.round(
            cap / 1024 / 1024,
          )} MB; the read was stopped. Raise maxResponseMegabytes for this instance, or split it with appNamespaces`,
        );
      }
      chunks.push(Buffer.from(value));
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    const signal = init.signal
      ? AbortSignal.any([
          init.signal,
          AbortSignal.timeout(this.config.timeoutMs),
        ])
      : AbortSignal.timeout(this.config.timeoutMs);
    try {
      return await fetch(`${this.config.url}${path}`, {
        ...init,
        signal,
        // Node's fetch accepts an undici dispatcher: TLS settings stay per instance.
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      } as RequestInit);
    } catch (error) {
      if ((error as Error).name === 'TimeoutError' && !init.signal?.aborted) {
        throw new RetryableError(
          `Argo CD '${this.config.name}' did not answer within ${this.config.timeoutMs} ms`,
        );
      }
      if ((error as Error).name === 'AbortError' || init.signal?.aborted) {
        throw error;
      }
      throw new RetryableError(
        `Argo CD '${this.config.name}' is unreachable: ${
          (error as Error).message
        }${
          (error as any).cause?.code ? ` (${(error as any).cause.code})` : ''
        }`,
      );
    }
  }
}
