import { sha } from '../fleet';
import { PREVIEW_SET, previewSetSpec } from '../previews';
import { healthOf } from './objects';
import { AppState, iso, sourceOf } from './state';

/**
 * `v1alpha1ApplicationSetList` of one instance: one set per
 * `applicationSet` its applications name, with a progressive sync
 * (RollingSync) by environment, dev first, and each application's step.
 */
export function applicationSetList(
  all: AppState[],
  instance: string,
  appsetNamespace: string | undefined,
  now: number,
) {
  const groups = new Map<string, AppState[]>();
  for (const app of all) {
    const { spec } = app;
    if (spec.instance !== instance || !spec.applicationSet) continue;
    if (appsetNamespace && spec.namespace !== appsetNamespace) continue;
    const key = `${spec.namespace}/${spec.applicationSet}`;
    groups.set(key, [...(groups.get(key) ?? []), app]);
  }
  const order = ['dev', 'staging', 'prod'];
  const envOf = (app: AppState) => app.spec.labels.environment ?? 'default';
  const items = [...groups.values()].map(apps => {
    const { namespace, applicationSet: name, project } = apps[0].spec;
    const envs = [...new Set(apps.map(envOf))].sort(
      (a, b) => order.indexOf(a) - order.indexOf(b),
    );
    const statusOf = (app: AppState) => {
      if (app.stage === 'syncing') return 'Progressing';
      if (app.stage === 'outOfSync') return 'Waiting';
      return healthOf(app, now).status === 'Healthy' ? 'Healthy' : 'Pending';
    };
    const progressing = apps.some(a => statusOf(a) !== 'Healthy');
    const since = iso(Math.min(...apps.map(a => a.stageSince)));
    return {
      metadata: {
        name,
        namespace,
        uid: sha(`${instance}/${namespace}/appset/${name}`).slice(0, 32),
        creationTimestamp: '2026-01-01T00:00:00Z',
      },
      spec:
        name === PREVIEW_SET
          ? previewSetSpec(apps[0].spec)
          : {
              // one application per overlay directory of the service's repo
              generators: [
                {
                  git: {
                    repoURL: apps[0].spec.repoURL,
                    revision: 'HEAD',
                    directories: [{ path: 'deploy/overlays/*' }],
                  },
                },
              ],
              template: {
                metadata: {
                  name: `${name}-{{path.basename}}`,
                  labels: { environment: '{{path.basename}}' },
                },
                spec: {
                  project,
                  source: sourceOf(apps[0].spec),
                  destination: apps[0].spec.destination,
                },
              },
              strategy: {
                type: 'RollingSync',
                rollingSync: {
                  steps: envs.map(env => ({
                    matchExpressions: [
                      { key: 'environment', operator: 'In', values: [env] },
                    ],
                  })),
                },
              },
            },
      status: {
        conditions: [
          {
            type: 'ErrorOccurred',
            status: 'False',
            reason: 'ApplicationSetUpToDate',
            message: 'All applications have been generated successfully',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
          {
            type: 'ResourcesUpToDate',
            status: 'True',
            reason: 'ApplicationSetUpToDate',
            message: 'All applications have been generated successfully',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
          {
            type: 'RolloutProgressing',
            status: progressing ? 'True' : 'False',
            reason: progressing
              ? 'ApplicationSetModified'
              : 'ApplicationSetRolloutComplete',
            message: progressing
              ? 'ApplicationSet is performing rollout of step'
              : 'ApplicationSet Rollout has completed',
            lastTransitionTime: since,
          },
        ],
        // a progressive sync's steps (the previews' set has none)
        applicationStatus:
          name === PREVIEW_SET
            ? []
            : apps.map(app => ({
                application: app.spec.name,
                status: statusOf(app),
                step: String(envs.indexOf(envOf(app)) + 1),
                message: `Application resource ${
                  statusOf(app) === 'Healthy'
                    ? 'became Healthy, updating status from Progressing to Healthy'
                    : `is ${statusOf(app)}`
                }`,
                lastTransitionTime: iso(app.stageSince),
                targetrevisions: [app.head].filter(Boolean),
              })),
      },
    };
  });
  return { metadata: {}, items };
}
