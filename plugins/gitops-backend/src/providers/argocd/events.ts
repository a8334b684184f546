import {
  applicationId,
  GitopsApplication,
  toHealthStatus,
  toSyncStatus,
} from '@gitops-portal/plugin-gitops-common';
import { z } from 'zod';
import { NewDeployment, StoredEvent } from '../../model/deployments';
import { eventTime, olderThanStored, parseEvent } from '../events';

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
      startedAt: eventTime.optional(),
      finishedAt: eventTime.optional(),
      revision: z.string().optional(),
      revisions: z.array(z.string()).optional(),
      initiatedBy: z.string().optional(),
      /** Argo CD started it on its own (auto-sync, self-heal). */
      automated: z.boolean().optional(),
    })
    .optional(),
});

/** Why an event's OutOfSync application is: it compares the revision it runs (drift), or a newer one. */
function causeOf(
  sync: { status: string; revision?: string; revisions?: string[] },
  app: GitopsApplication,
): GitopsApplication['outOfSyncCause'] {
  if (sync.status !== 'OutOfSync') return undefined;
  const compared = sync.revisions?.length
    ? sync.revisions
    : [sync.revision].filter((r): r is string => Boolean(r));
  if (!compared.length || app.hydration) return app.outOfSyncCause;
  return compared.join() === app.revisions.join() ? 'drift' : 'revision';
}

/**
 * Reads an Argo CD notifications event: the instance it names (for the
 * caller to check against its token), the state it tells, and the
 * deployment a finished operation reports. What kind of deployment that
 * was is classified by the store, from the history.
 */
export function readArgoEvent(raw: Buffer): {
  instance: string;
  event: StoredEvent;
} {
  const event = parseEvent(argoEvent, raw);
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
    (op.phase === 'Succeeded' || op.phase === 'Failed' || op.phase === 'Error');
  const finishedAt =
    done && op?.finishedAt && opRevisions.length
      ? new Date(op.finishedAt).toISOString()
      : undefined;
  const opTime = op?.finishedAt ?? op?.startedAt;
  return {
    instance: event.instance,
    event: {
      applicationId: id,
      apply: app => {
        const deployment: NewDeployment | undefined =
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
                initiatedBy:
                  op.initiatedBy ?? (op.automated ? 'automated' : undefined),
                origin: 'event',
                message: op.message,
              }
            : undefined;
        // a late or redelivered event: the state it tells is older than
        // the stored one, the deployment it reports happened all the same
        if (
          opTime &&
          olderThanStored(
            app,
            new Date(opTime).toISOString(),
            opRevisions.join(','),
          )
        )
          return deployment ? { deployment } : undefined;
        return {
          application: {
            ...app,
            syncStatus: event.sync
              ? toSyncStatus(event.sync.status)
              : app.syncStatus,
            outOfSyncCause: event.sync
              ? causeOf(event.sync, app)
              : app.outOfSyncCause,
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
          deployment,
        };
      },
    },
  };
}
