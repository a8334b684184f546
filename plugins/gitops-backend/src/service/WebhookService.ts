import { LoggerService } from '@backstage/backend-plugin-api';
import { AuthenticationError, InputError } from '@backstage/errors';
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

  verifyArgo(token: string | undefined) {
    const expected = this.options.argocdToken;
    if (!expected) {
      throw new AuthenticationError(
        'Argo CD webhooks are not enabled (gitops.webhooks.argocdToken)',
      );
    }
    if (!token || !safeEqual(token, expected)) {
      throw new AuthenticationError('Missing or wrong X-Gitops-Token');
    }
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

  async applyArgo(raw: Buffer): Promise<WebhookResult> {
    const event = parse(argoEvent, raw);
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
    return this.submit({
      applicationId: id,
      apply: app => ({
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
          ...(op?.phase === 'Succeeded' && opRevisions.length && op.finishedAt
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
      }),
    });
  }

  /**
   * Queues an event for the next write: events that arrive while a write is
   * running are applied together in one transaction (group commit), and
   * each request is answered once its event is stored.
   */
  private submit(event: StoredEvent): Promise<WebhookResult> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (!this.flushing) void this.flush();
    }).then(known =>
      known
        ? { status: 'applied', applicationId: event.applicationId }
        : {
            status: 'ignored',
            applicationId: event.applicationId,
            reason: 'unknown application; the next poll will read it',
          },
    );
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
