import { LoggerService } from '@backstage/backend-plugin-api';
import {
  AuthenticationError,
  InputError,
  NotAllowedError,
} from '@backstage/errors';
import {
  GitopsApplication,
  applicationId,
  toHealthStatus,
  toSyncStatus,
} from '@gitops-portal/plugin-gitops-common';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { GitopsStore, StoredEvent } from '../database/GitopsStore';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The Flux notification-controller Event (event.toolkit.fluxcd.io/v1beta1). */
/** A time as both engines send it (RFC 3339); anything else is a 400, not a 500. */
const time = z
  .string()
  .refine(s => !Number.isNaN(Date.parse(s)), 'must be an RFC 3339 time');

const fluxEvent = z.object({
  involvedObject: z.object({
    kind: z.enum([
      'Kustomization',
      'HelmRelease',
      'GitRepository',
      'OCIRepository',
      'HelmRepository',
      'Bucket',
      'HelmChart',
    ]),
    namespace: z.string().min(1),
    name: z.string().min(1),
    apiVersion: z.string().optional(),
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    fieldPath: z.string().optional(),
  }),
  severity: z.enum(['trace', 'info', 'error']),
  timestamp: time,
  message: z.string().max(39_000),
  reason: z.string(),
  metadata: z.record(z.string()).optional(),
  reportingController: z.string(),
  reportingInstance: z.string().optional(),
});

/** The body of the Argo CD notifications webhook template shipped in the README. */
const argoEvent = z.object({
  instance: z.string().min(1),
  app: z.object({ name: z.string().min(1), namespace: z.string().min(1) }),
  sync: z
    .object({
      status: z.string(),
      revision: z.string().optional(),
      revisions: z.array(z.string()).optional(),
    })
    .optional(),
  health: z
    .object({ status: z.string(), message: z.string().optional() })
    .optional(),
  operation: z
    .object({
      phase: z.string(),
      message: z.string().optional(),
      startedAt: time.optional(),
      finishedAt: time.optional(),
      revision: z.string().optional(),
      revisions: z.array(z.string()).optional(),
      initiatedBy: z.string().optional(),
    })
    .optional(),
});

function parse<T extends z.ZodTypeAny>(schema: T, raw: Buffer): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new InputError(
      `Malformed event: body is not JSON (${(e as Error).message})`,
    );
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new InputError(
      `Malformed event: ${result.error.issues
        .map(i => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return result.data;
}

/** Revision from event metadata: the current un-prefixed key or the documented prefixed one. */
function eventRevision(
  metadata: Record<string, string> | undefined,
): string | undefined {
  if (!metadata) return undefined;
  return (
    metadata.revision ??
    Object.entries(metadata).find(([k]) => k.endsWith('/revision'))?.[1]
  );
}

/** Resources without those that were only rolling out. */
function settled(
  resources: GitopsApplication['resources'],
): GitopsApplication['resources'] {
  const left = resources?.filter(r => r.healthStatus !== 'Progressing');
  return left?.length ? left : undefined;
}

/**
 * Whether an event is older than the state stored for its object: before
 * its last sync, or at the same time with another revision. Such an event
 * (a redelivery, a replay) must not set the shown state back.
 */
function olderThanStored(
  app: GitopsApplication,
  at: string,
  revision: string | undefined,
): boolean {
  if (!app.lastSyncedAt) return false;
  const stored = Date.parse(app.lastSyncedAt);
  const event = Date.parse(at);
  if (Number.isNaN(stored) || Number.isNaN(event)) return false;
  if (event < stored) return true;
  return (
    event === stored &&
    !!revision &&
    !!app.revisions[0] &&
    !sameCommit(revision, app.revisions[0]) &&
    !revision.split(',').some(r => sameCommit(r, app.revisions[0]))
  );
}

/** Whether two Flux revisions (`main@sha1:<sha>`, `main/<sha>`) name one commit. */
function sameCommit(a: string, b: string | undefined): boolean {
  const sha = (r: string) => r.match(/[0-9a-f]{40,64}/)?.[0] ?? r;
  return !!b && sha(a) === sha(b);
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
    const event = parse(fluxEvent, raw);
    const { kind, namespace, name } = event.involvedObject;
    if (kind !== 'Kustomization' && kind !== 'HelmRelease') {
      return {
        status: 'ignored',
        reason: `${kind} events carry no deployment`,
      };
    }
    const id = applicationId({
      engine: 'flux',
      instance: cluster,
      namespace,
      name: `${kind}/${name}`,
    });
    const revision = eventRevision(event.metadata);
    const failed = event.severity === 'error';
    const at = new Date(event.timestamp).toISOString();
    const reportsDeployment =
      revision && (failed || /Succeeded$/.test(event.reason));
    // helm-controller's drift detection in `warn` mode: told, not corrected
    const driftDetected =
      !failed && /Drift/i.test(event.reason) && !/correct/i.test(event.reason);
    return this.submit({
      applicationId: id,
      apply: app => {
        // a redelivered or replayed event older than what is stored for
        // the object changes nothing (the shown revision never goes back)
        if (olderThanStored(app, at, revision)) return undefined;
        if (driftDetected) {
          return {
            application: {
              ...app,
              syncStatus: 'OutOfSync',
              operationPhase: event.reason,
              message: event.message,
            },
          };
        }
        // the revision already running applied again with changes: a change
        // made by hand in the cluster was reverted (self-heal)
        const selfHeal =
          !failed &&
          !!revision &&
          sameCommit(revision, app.revisions[0]) &&
          (/Drift/i.test(event.reason) ||
            /\b(configured|created)\b/.test(event.message));
        return {
          application: {
            ...app,
            healthStatus: failed ? 'Degraded' : 'Healthy',
            syncStatus: failed ? app.syncStatus : 'Synced',
            // a finished reconciliation passed its health checks: workloads
            // read mid-rollout are rolled out now (the next read tells more)
            ...(failed ? {} : { resources: settled(app.resources) }),
            operationPhase: event.reason,
            message: failed ? event.message : undefined,
            ...(revision && !failed
              ? {
                  revisions: [revision],
                  attemptedRevisions: undefined,
                  lastSyncedAt: at,
                }
              : {}),
            ...(revision && failed && !app.revisions.includes(revision)
              ? { attemptedRevisions: [revision] }
              : {}),
          },
          deployment: reportsDeployment
            ? {
                applicationId: id,
                dedupeKey: `${id}@event:${at}#${revision}#${event.reason}`,
                environment: app.environment,
                revisions: [revision],
                finishedAt: at,
                result: failed ? 'Failed' : 'Succeeded',
                initiatedBy: selfHeal ? 'automated' : event.reportingController,
                origin: 'event',
                message: selfHeal
                  ? `${event.reportingController} reverted a change made in the cluster: ${event.message}`
                  : event.message,
              }
            : undefined,
        };
      },
    });
  }

  async applyArgo(
    raw: Buffer,
    bound: { instance?: string } = {},
  ): Promise<WebhookResult> {
    const event = parse(argoEvent, raw);
    const own = this.options.argocdInstanceTokens ?? {};
    if (bound.instance !== undefined && event.instance !== bound.instance) {
      throw new NotAllowedError(
        `The token of Argo CD instance '${bound.instance}' cannot write instance '${event.instance}'`,
      );
    }
    if (bound.instance === undefined && own[event.instance]) {
      throw new NotAllowedError(
        `Argo CD instance '${event.instance}' takes events only with its own webhookToken`,
      );
    }
    const id = applicationId({
      engine: 'argocd',
      instance: event.instance,
      namespace: event.app.namespace,
      name: event.app.name,
    });
    const op = event.operation;
    let opRevisions: string[] = op?.revisions ?? [];
    if (!opRevisions.length && op?.revision) opRevisions = [op.revision];
    const done =
      op &&
      (op.phase === 'Succeeded' ||
        op.phase === 'Failed' ||
        op.phase === 'Error');
    const finishedAt =
      done && op?.finishedAt && opRevisions.length
        ? new Date(op.finishedAt).toISOString()
        : undefined;
    const opTime = op?.finishedAt ?? op?.startedAt;
    return this.submit({
      applicationId: id,
      apply: app =>
        opTime &&
        olderThanStored(
          app,
          new Date(opTime).toISOString(),
          opRevisions.join(','),
        )
          ? undefined
          : {
              application: {
                ...app,
                syncStatus: event.sync
                  ? toSyncStatus(event.sync.status)
                  : app.syncStatus,
                healthStatus: event.health
                  ? toHealthStatus(event.health.status)
                  : app.healthStatus,
                message:
                  event.health?.message ??
                  (op?.phase === 'Failed' ? op.message : undefined),
                operationPhase: op?.phase ?? app.operationPhase,
                ...(op?.phase === 'Succeeded' &&
                opRevisions.length &&
                op.finishedAt
                  ? {
                      revisions: opRevisions,
                      attemptedRevisions: undefined,
                      lastSyncedAt: new Date(op.finishedAt).toISOString(),
                    }
                  : {}),
              },
              deployment:
                finishedAt && op
                  ? {
                      applicationId: id,
                      dedupeKey: `${id}@event:${finishedAt}#${opRevisions.join(
                        ',',
                      )}#${op.phase}`,
                      environment: app.environment,
                      revisions: opRevisions,
                      startedAt: op.startedAt,
                      finishedAt,
                      result: op.phase === 'Succeeded' ? 'Succeeded' : 'Failed',
                      initiatedBy: op.initiatedBy,
                      origin: 'event',
                      message: op.message,
                    }
                  : undefined,
            },
    });
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
        stale = !applied;
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
