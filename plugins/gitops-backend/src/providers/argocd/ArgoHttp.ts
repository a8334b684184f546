import { ForwardedError, ResponseError } from '@backstage/errors';
import { Agent } from 'undici';
import { ArgoInstanceConfig } from '../../config';

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
 * HTTP to one Argo CD API server: its own TLS settings, a session token
 * obtained with username/password and renewed on 401, request timeouts,
 * answers capped in size, and retries with backoff for idempotent calls.
 */
export class ArgoHttp {
  private sessionToken?: Promise<string>;
  /** The instance's TLS settings, for Node's fetch. */
  readonly dispatcher?: Agent;

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

  /** The bearer token: the configured one, or a session (renewed when `renew`). */
  async token(renew = false): Promise<string> {
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

  /** A JSON call; GETs are retried with backoff on 5xx, 429 and timeouts. */
  async request<T>(options: {
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
