import { FAILING, Obj, iso, meta, tagOf } from './objects';

/**
 * The `apps/v1` Deployment a Kustomization or HelmRelease applied (its
 * inventory names it), running the image of the revision applied; one
 * `rolling` out has its new ReplicaSet coming up; the failing one is stuck
 * past its progress deadline. Undefined for an object that applied none (or
 * not in `namespace`).
 */
export function deploymentOf(
  o: Obj,
  now: number,
  rolling: boolean,
  namespace?: string,
) {
  if (o.kind !== 'Kustomization' && o.kind !== 'HelmRelease') return undefined;
  const ref = (o.status.inventory?.entries ?? [])
    .map((e: { id: string }) => e.id.split('_'))
    .find((p: string[]) => p[2] === 'apps' && p[3] === 'Deployment');
  if (!ref || (namespace && ref[0] !== namespace)) return undefined;
  const [ns, name] = ref;
  const helm = o.kind === 'HelmRelease';
  const image = helm
    ? `${o.spec.values?.image?.repository}:${o.status.history?.[0]?.appVersion}`
    : `ghcr.io/gitops-portal/${name}:${tagOf(
        o.status.lastAttemptedRevision ?? o.status.lastAppliedRevision,
      )}`;
  const stuck = o.metadata.name === FAILING;
  const replicas = 2;
  const updated = rolling || stuck ? 1 : replicas;
  const available = stuck ? 1 : replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      ...meta(name, ns, { app: name }),
      generation: 3,
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image }] },
      },
    },
    status: {
      observedGeneration: 3,
      replicas,
      updatedReplicas: updated,
      readyReplicas: available,
      availableReplicas: available,
      conditions: [
        {
          type: 'Available',
          status: available === replicas ? 'True' : 'False',
          reason:
            available === replicas
              ? 'MinimumReplicasAvailable'
              : 'MinimumReplicasUnavailable',
          message:
            available === replicas
              ? 'Deployment has minimum availability.'
              : 'Deployment does not have minimum availability.',
          lastTransitionTime: iso(now - 600_000),
          lastUpdateTime: iso(now - 600_000),
        },
        stuck
          ? {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: `ReplicaSet "${name}-7d4b9c8f6" has timed out progressing.`,
              lastTransitionTime: iso(now - 600_000),
              lastUpdateTime: iso(now - 600_000),
            }
          : {
              type: 'Progressing',
              status: 'True',
              reason: rolling ? 'ReplicaSetUpdated' : 'NewReplicaSetAvailable',
              message: `ReplicaSet "${name}-7d4b9c8f6" ${
                rolling ? 'is progressing' : 'has successfully progressed'
              }.`,
              lastTransitionTime: iso(now - 600_000),
              lastUpdateTime: iso(now),
            },
      ],
    },
  };
}
