import { LoggerService } from '@backstage/backend-plugin-api';
import { AuthenticationError, NotAllowedError } from '@backstage/errors';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { GitopsStore, StoredEvent } from '../database/GitopsStore';
import { readArgoEvent } from '../providers/argocd/events';
import { readFluxEvent } from '../providers/flux/events';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface WebhookResult {
  status: 'applied' | 'ignored';
  applicationId?: string;
  reason?: string;
}

/**
 * Push ingestion: verifies and applies events from Flux's
 * notification-controller and Argo CD notifications. An event updates the
 * stored state and history at once; the next poll stays the source of truth.
 */
export class WebhookService {
  private readonly queue: {
    event: StoredEvent;
    resolve: (known: boolean) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private flushing = false;

  constructor(
    private readonly options: {
      store: GitopsStore;
      logger: LoggerService;
      fluxHmacKey?: string;
      /** Keys per cluster: a cluster's events must be signed with its own. */
      fluxClusterKeys?: Record<string, string>;
      argocdToken?: string;
      /** Tokens per Argo CD instance: such an instance's events need its own. */
      argocdInstanceTokens?: Record<string, string>;
    },
  ) {}

  /** Checks the signature with the key of the cluster the event is posted for. */
  verifyFlux(raw: Buffer, signature: string | undefined, cluster?: string) {
    const key =
      (cluster && this.options.fluxClusterKeys?.[cluster]) ??
      this.options.fluxHmacKey;
    if (!key) {
      throw new AuthenticationError(
        'Flux webhooks are not enabled (gitops.webhooks.fluxHmacKey or the cluster webhookHmacKey)',
      );
    }
    const expected = `sha256=${createHmac('sha256', key)
      .update(raw)
      .digest('hex')}`;
    if (!signature || !safeEqual(signature.trim(), expected)) {
      throw new AuthenticationError('Missing or wrong X-Signature');
    }
  }

  /**
   * Checks the token of an Argo CD event; answers what it may write: the
   * instance whose own token it is, or `{}` for the shared token (instances
   * without a token of their own).
   */
  verifyArgo(
    token: string | undefined,
    instance?: string,
  ): { instance?: string } {
    const own = this.options.argocdInstanceTokens ?? {};
    const shared = this.options.argocdToken;
    if (!shared && Object.keys(own).length === 0) {
      throw new AuthenticationError(
        'Argo CD webhooks are not enabled (gitops.webhooks.argocdToken or an instance webhookToken)',
      );
    }
    if (!token) throw new AuthenticationError('Missing X-Gitops-Token');
    if (instance !== undefined) {
      const expected = own[instance] ?? shared;
      if (!expected || !safeEqual(token, expected))
        throw new AuthenticationError('Missing or wrong X-Gitops-Token');
      return own[instance] ? { instance } : {};
    }
    // every comparison made, so timing says nothing of which matched
    let bound: string | undefined;
    for (const [name, key] of Object.entries(own))
      if (safeEqual(token, key) && bound === undefined) bound = name;
    if (bound !== undefined) return { instance: bound };
    if (shared && safeEqual(token, shared)) return {};
    throw new AuthenticationError('Missing or wrong X-Gitops-Token');
  }

  async applyFlux(cluster: string, raw: Buffer): Promise<WebhookResult> {
    const read = readFluxEvent(cluster, raw);
    if (read.status === 'ignored') return read;
    return this.submit(read.event);
  }

  async applyArgo(
    raw: Buffer,
    bound: { instance?: string } = {},
  ): Promise<WebhookResult> {
    const { instance, event } = readArgoEvent(raw);
    const own = this.options.argocdInstanceTokens ?? {};
    if (bound.instance !== undefined && instance !== bound.instance) {
      throw new NotAllowedError(
        `The token of Argo CD instance '${bound.instance}' cannot write instance '${instance}'`,
      );
    }
    if (bound.instance === undefined && own[instance]) {
      throw new NotAllowedError(
        `Argo CD instance '${instance}' takes events only with its own webhookToken`,
      );
    }
    return this.submit(event);
  }

  /**
   * Queues an event for the next write: events that arrive while a write is
   * running are applied together in one transaction (group commit), and
   * each request is answered once its event is stored.
   */
  private submit(event: StoredEvent): Promise<WebhookResult> {
    let stale = false;
    const tracked: StoredEvent = {
      applicationId: event.applicationId,
      apply: app => {
        const applied = event.apply(app);
        stale = !applied?.application;
        return applied;
      },
    };
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ event: tracked, resolve, reject });
      if (!this.flushing) void this.flush();
    }).then(known => {
      if (!known)
        return {
          status: 'ignored',
          applicationId: event.applicationId,
          reason: 'unknown application; the next poll will read it',
        };
      if (stale)
        return {
          status: 'ignored',
          applicationId: event.applicationId,
          reason: 'older than the stored state of the application',
        };
      return { status: 'applied', applicationId: event.applicationId };
    });
  }

  private async flush() {
    this.flushing = true;
    // let the requests already parsed join this write
    await new Promise(resolve => setImmediate(resolve));
    while (this.queue.length) {
      const batch = this.queue.splice(0, 500);
      try {
        const known = await this.options.store.applyEvents(
          batch.map(b => b.event),
        );
        batch.forEach((b, i) => b.resolve(known[i]));
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
    this.flushing = false;
  }
}
