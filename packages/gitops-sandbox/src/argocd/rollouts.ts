import { sha } from '../fleet';
import { AppState, imagesOf, iso, serviceOf } from './state';

/** Where the app's canary is: the step under way (`steps.length` once done) and the cycle. */
export function canaryOf(app: AppState, now: number) {
  const canary = app.spec.canary;
  if (!canary) return undefined;
  const stepMs = canary.stepSeconds * 1000;
  const cycleMs = (canary.steps.length + 2) * stepMs;
  const elapsed = Math.max(0, now - app.canaryStartedAt);
  const cycle = Math.floor(elapsed / cycleMs);
  const index = Math.min(
    canary.steps.length,
    Math.floor((elapsed % cycleMs) / stepMs),
  );
  return {
    steps: canary.steps,
    cycle,
    index,
    stepStartedAt: app.canaryStartedAt + cycle * cycleMs + index * stepMs,
  };
}

/**
 * The app's Argo Rollouts `Rollout` as its controller keeps it
 * (`argoproj.io/v1alpha1`), or undefined for an app without one.
 */
export function rolloutOf(app: AppState, now: number) {
  const canary = canaryOf(app, now);
  if (!canary) return undefined;
  const service = serviceOf(app.spec);
  const namespace = app.spec.destination.namespace;
  const hash = (n: number) => sha(`${app.spec.name}#${n}`).slice(0, 10);
  const done = canary.index >= canary.steps.length;
  const paused = !done && Boolean(canary.steps[canary.index].pause);
  const reached = canary.steps
    .slice(0, canary.index + 1)
    .filter(s => s.setWeight !== undefined);
  const weight = done ? 100 : reached.at(-1)?.setWeight ?? 0;
  let phase = 'Progressing';
  if (done) phase = 'Healthy';
  else if (paused) phase = 'Paused';
  let message: string | undefined = 'more replicas need to be updated';
  if (done) message = undefined;
  else if (paused) message = 'CanaryPauseStep';
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name: service,
      namespace,
      uid: sha(`${app.spec.name}/rollout`).slice(0, 32),
      generation: 1,
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    spec: {
      replicas: 5,
      selector: { matchLabels: { app: service } },
      template: {
        metadata: { labels: { app: service } },
        spec: {
          containers: [{ name: service, image: imagesOf(app)[0] }],
        },
      },
      strategy: {
        canary: {
          steps: canary.steps.map(s =>
            s.pause
              ? {
                  pause: s.pause.duration
                    ? { duration: `${s.pause.duration}s` }
                    : {},
                }
              : { setWeight: s.setWeight },
          ),
        },
      },
    },
    status: {
      phase,
      ...(message ? { message } : {}),
      currentStepIndex: canary.index,
      currentPodHash: hash(canary.cycle),
      stableRS: hash(done ? canary.cycle : canary.cycle - 1),
      ...(paused
        ? {
            pauseConditions: [
              {
                reason: 'CanaryPauseStep',
                startTime: iso(canary.stepStartedAt),
              },
            ],
            controllerPause: true,
          }
        : {}),
      replicas: 5,
      updatedReplicas: Math.round((5 * weight) / 100),
      readyReplicas: 5,
      availableReplicas: 5,
      observedGeneration: '1',
    },
  };
}
