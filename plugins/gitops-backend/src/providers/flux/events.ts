import {
  GitopsApplication,
  applicationId,
} from '@gitops-portal/plugin-gitops-common';
import { z } from 'zod';
import { ReadEvent, eventTime, olderThanStored, parseEvent } from '../events';
import { NewDeployment } from '../../model/deployments';

/** The Flux notification-controller Event (event.toolkit.fluxcd.io/v1beta1). */
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
  timestamp: eventTime,
  message: z.string().max(39_000),
  reason: z.string(),
  metadata: z.record(z.string()).optional(),
  reportingController: z.string(),
  reportingInstance: z.string().optional(),
});

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
 * Reads a Flux notification-controller event posted for a cluster: the
 * state it tells of its Kustomization or HelmRelease, and the deployment
 * it reports (a finished reconciliation of a revision). What kind of
 * deployment that was is classified by the store, from the history.
 */
export function readFluxEvent(cluster: string, raw: Buffer): ReadEvent {
  const event = parseEvent(fluxEvent, raw);
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
  return {
    status: 'apply',
    event: {
      applicationId: id,
      apply: app => {
        const deployment: NewDeployment | undefined = reportsDeployment
          ? {
              applicationId: id,
              dedupeKey: `${id}@event:${at}#${revision}#${event.reason}`,
              environment: app.environment,
              revisions: [revision],
              finishedAt: at,
              result: failed ? 'Failed' : 'Succeeded',
              initiatedBy: event.reportingController,
              origin: 'event',
              message: event.message,
            }
          : undefined;
        // a late, redelivered or replayed event older than what is stored
        // for the object changes no state (the shown revision never goes
        // back); the deployment it reports happened all the same
        if (olderThanStored(app, at, revision))
          return deployment ? { deployment } : undefined;
        if (driftDetected) {
          return {
            application: {
              ...app,
              syncStatus: 'OutOfSync',
              outOfSyncCause: 'drift',
              operationPhase: event.reason,
              message: event.message,
            },
          };
        }
        return {
          application: {
            ...app,
            healthStatus: failed ? 'Degraded' : 'Healthy',
            syncStatus: failed ? app.syncStatus : 'Synced',
            outOfSyncCause: failed ? app.outOfSyncCause : undefined,
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
          deployment,
        };
      },
    },
  };
}
