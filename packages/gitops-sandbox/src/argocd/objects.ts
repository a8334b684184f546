import { sha } from '../fleet';
import { rolloutOf } from './rollouts';
import { AppState, hydratedSha, imagesOf, serviceOf, sourceOf } from './state';

/*
 * The Argo CD objects the sandbox's API answers, rendered from an
 * application's state: the Application, its resources and tree.
 */

/** The running or last operation, as `status.operationState`. */
export function operationStateOf(app: AppState) {
  const last = app.history[app.history.length - 1];
  const op =
    app.operation ??
    (last && {
      phase: 'Succeeded',
      message: 'successfully synced (all tasks run)',
      startedAt: last.deployStartedAt,
      finishedAt: last.deployedAt,
      revision: last.revision ?? '',
      initiatedBy: last.initiatedBy,
    });
  if (!op) return {};
  return {
    operationState: {
      phase: op.phase,
      message: op.message,
      startedAt: op.startedAt,
      ...(op.finishedAt ? { finishedAt: op.finishedAt } : {}),
      operation: {
        sync: { revision: op.revision },
        initiatedBy: op.initiatedBy,
      },
      syncResult: { revision: op.revision },
    },
  };
}

/** `status.sourceHydrator`: the dry commit running, and the one being hydrated. */
export function hydratorStatus(app: AppState) {
  const running = app.history[app.history.length - 1]?.revision;
  const hydrator = {
    drySource: {
      repoURL: app.spec.repoURL,
      path: app.spec.path,
      targetRevision: app.spec.targetRevision,
    },
    syncSource: { targetBranch: app.spec.hydrateTo, path: app.spec.path },
  };
  return {
    sourceHydrator: {
      ...(running
        ? {
            lastSuccessfulOperation: {
              drySHA: running,
              hydratedSHA: hydratedSha(running),
              sourceHydrator: hydrator,
            },
          }
        : {}),
      currentOperation: {
        drySHA: app.head,
        hydratedSHA: app.head ? hydratedSha(app.head) : undefined,
        phase: app.stage === 'idle' ? 'Hydrated' : 'Hydrating',
        message: '',
        startedAt: app.operation?.startedAt ?? app.reconciledAt,
        sourceHydrator: hydrator,
      },
    },
  };
}

/** Argo CD 3.x keeps resource health in the tree; the prod instance is 3.x. */
export function healthInTree(app: AppState) {
  return app.spec.instance === 'prod';
}

/** The managed resources with their sync and health (`v1alpha1ResourceStatus`). */
export function resourcesOf(
  app: AppState,
  health: { status: string; message?: string },
) {
  const { spec } = app;
  const service = serviceOf(spec);
  const namespace = spec.destination.namespace;
  const syncing = app.stage !== 'idle';
  const workload = app.spec.canary
    ? { group: 'argoproj.io', version: 'v1alpha1', kind: 'Rollout' }
    : { group: 'apps', version: 'v1', kind: 'Deployment' };
  const list: Array<{
    group?: string;
    version: string;
    kind: string;
    namespace: string;
    name: string;
    status: string;
    health?: { status: string; message?: string };
  }> = [
    {
      ...workload,
      namespace,
      name: service,
      status: syncing ? 'OutOfSync' : 'Synced',
      health,
    },
    {
      version: 'v1',
      kind: 'Service',
      namespace,
      name: service,
      status: 'Synced',
      health: { status: 'Healthy' },
    },
    {
      version: 'v1',
      kind: 'ConfigMap',
      namespace,
      name: `${service}-config`,
      status: app.driftSince ? 'OutOfSync' : 'Synced',
    },
  ];
  return healthInTree(app) ? list.map(({ health: _h, ...r }) => r) : list;
}

/** `v1alpha1ApplicationTree`: managed resources and their children, with health. */
export function treeOf(app: AppState, now: number) {
  const { instance, name } = app.spec;
  const health = healthOf(app, now);
  const resources = resourcesOf(app, health);
  const uid = (s: string) => sha(`${instance}/${name}/${s}`).slice(0, 32);
  const deployment = resources[0];
  const rs = `${deployment.name}-${(app.head || '0000000').slice(0, 7)}`;
  const treeHealth: Record<string, { status: string } | undefined> = {
    [deployment.kind]: health,
    Service: { status: 'Healthy' },
  };
  return {
    nodes: [
      ...resources.map(r => ({
        group: r.group,
        version: r.version,
        kind: r.kind,
        namespace: r.namespace,
        name: r.name,
        uid: uid(`${r.kind}/${r.name}`),
        resourceVersion: '1',
        health: treeHealth[r.kind],
      })),
      {
        group: 'apps',
        version: 'v1',
        kind: 'ReplicaSet',
        namespace: deployment.namespace,
        name: rs,
        uid: uid(rs),
        resourceVersion: '1',
        parentRefs: [
          {
            group: deployment.group,
            kind: deployment.kind,
            namespace: deployment.namespace,
            name: deployment.name,
            uid: uid(`${deployment.kind}/${deployment.name}`),
          },
        ],
        health,
      },
      {
        version: 'v1',
        kind: 'Pod',
        namespace: deployment.namespace,
        name: `${rs}-x7k2p`,
        uid: uid(`${rs}-pod`),
        resourceVersion: '1',
        parentRefs: [
          {
            group: 'apps',
            kind: 'ReplicaSet',
            namespace: deployment.namespace,
            name: rs,
            uid: uid(rs),
          },
        ],
        images: imagesOf(app),
        health,
      },
    ].map(n =>
      Object.fromEntries(Object.entries(n).filter(([, v]) => v !== undefined)),
    ),
  };
}

export function healthOf(
  app: AppState,
  now: number,
): { status: string; message?: string } {
  if (app.stage === 'syncing')
    return {
      status: 'Progressing',
      message:
        'Waiting for rollout to finish: 1 old replicas are pending termination...',
    };
  if (app.spec.failsWith)
    return { status: 'Degraded', message: app.spec.failsWith };
  // Argo CD's health of a Rollout: paused is Suspended
  const rollout = rolloutOf(app, now);
  if (rollout?.status.phase === 'Paused')
    return { status: 'Suspended', message: 'Rollout is paused' };
  if (rollout?.status.phase === 'Progressing')
    return { status: 'Progressing', message: rollout.status.message };
  return { status: 'Healthy' };
}

/** `v1alpha1Application` as Argo CD's REST API returns it. */
export function renderApplication(app: AppState, now: number) {
  const { spec } = app;
  const synced = app.stage === 'idle' && !app.driftSince;
  let syncStatus = synced ? 'Synced' : 'OutOfSync';
  if (!app.head) syncStatus = 'Unknown';
  const health = healthOf(app, now);
  return {
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      labels: spec.labels,
      ...(spec.annotations ? { annotations: spec.annotations } : {}),
      uid: sha(`${spec.instance}/${spec.namespace}/${spec.name}`).slice(0, 32),
      creationTimestamp: app.createdAt,
      ...(spec.applicationSet
        ? {
            ownerReferences: [
              {
                apiVersion: 'argoproj.io/v1alpha1',
                kind: 'ApplicationSet',
                name: spec.applicationSet,
                uid: sha(
                  `${spec.instance}/${spec.namespace}/appset/${spec.applicationSet}`,
                ).slice(0, 32),
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      project: spec.project,
      ...(spec.hydrateTo
        ? {
            sourceHydrator: {
              drySource: {
                repoURL: spec.repoURL,
                path: spec.path,
                targetRevision: spec.targetRevision,
              },
              syncSource: { targetBranch: spec.hydrateTo, path: spec.path },
            },
          }
        : { source: sourceOf(spec) }),
      destination: spec.destination,
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    },
    status: {
      sync: {
        status: syncStatus,
        ...(app.head
          ? {
              revision: spec.hydrateTo ? hydratedSha(app.head) : app.head,
            }
          : {}),
        comparedTo: {
          source: sourceOf(spec),
          destination: spec.destination,
        },
      },
      health,
      history: spec.hydrateTo
        ? app.history.map(h => ({
            ...h,
            revision: h.revision && hydratedSha(h.revision),
          }))
        : app.history,
      ...operationStateOf(app),
      reconciledAt: app.reconciledAt,
      sourceType: spec.chart ? 'Helm' : 'Kustomize',
      summary: { images: imagesOf(app) },
      resources: resourcesOf(app, health),
      ...(healthInTree(app) ? { resourceHealthSource: 'appTree' } : {}),
      ...(spec.hydrateTo ? hydratorStatus(app) : {}),
    },
  };
}
