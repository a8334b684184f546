import { ApplicationRollout } from '@gitops-portal/plugin-gitops-common';
import { z } from 'zod';

/**
 * The parts of an Argo Rollouts `Rollout` (argoproj.io/v1alpha1) that tell
 * its strategy and progress. Unknown fields are ignored; a field of the wrong
 * type makes the object unreadable rather than half-read.
 */
const rolloutSchema = z.object({
  metadata: z.object({
    name: z.string(),
    namespace: z.string().optional(),
  }),
  spec: z
    .object({
      paused: z.boolean().optional(),
      strategy: z
        .object({
          canary: z
            .object({
              steps: z
                .array(
                  z.object({ setWeight: z.number().optional() }).passthrough(),
                )
                .optional(),
            })
            .passthrough()
            .optional(),
          blueGreen: z.object({}).passthrough().optional(),
        })
        .optional(),
    })
    .optional(),
  status: z
    .object({
      phase: z.string().optional(),
      message: z.string().optional(),
      currentStepIndex: z.number().int().optional(),
      pauseConditions: z
        .array(z.object({ reason: z.string().optional() }).passthrough())
        .nullable()
        .optional(),
      controllerPause: z.boolean().optional(),
      abort: z.boolean().optional(),
      currentPodHash: z.string().optional(),
      stableRS: z.string().optional(),
      canary: z
        .object({
          weights: z
            .object({
              canary: z.object({ weight: z.number().optional() }).optional(),
            })
            .optional(),
        })
        .passthrough()
        .optional(),
      blueGreen: z
        .object({
          activeSelector: z.string().optional(),
          previewSelector: z.string().optional(),
        })
        .passthrough()
        .optional(),
    })
    .optional(),
});

/** Whether a resource of an application is an Argo Rollouts Rollout. */
export function isRollout(r: { group?: string; kind?: string }): boolean {
  return r.kind === 'Rollout' && r.group === 'argoproj.io';
}

/**
 * Strategy and progress of a Rollout, read as the Argo Rollouts kubectl
 * plugin reads them: the canary weight from `status.canary.weights` when
 * traffic is routed, else from the last `setWeight` step reached (100 once
 * every step is done); paused when `spec.paused`, a pause condition or the
 * controller says so. Undefined for an object that is not a readable Rollout.
 */
export function rolloutStatus(object: unknown): ApplicationRollout | undefined {
  const parsed = rolloutSchema.safeParse(object);
  if (!parsed.success) return undefined;
  const { metadata, spec, status = {} } = parsed.data;
  const canary = spec?.strategy?.canary;
  const blueGreen = spec?.strategy?.blueGreen;
  if (!canary && !blueGreen) return undefined;
  const out: ApplicationRollout = {
    name: metadata.name,
    namespace: metadata.namespace,
    strategy: canary ? 'canary' : 'blueGreen',
    phase: status.phase,
    message: status.message || undefined,
    paused: Boolean(
      spec?.paused ||
        status.controllerPause ||
        (status.pauseConditions?.length ?? 0) > 0,
    ),
    aborted: Boolean(status.abort),
    stableHash: status.stableRS || undefined,
    currentHash: status.currentPodHash || undefined,
  };
  if (canary) {
    const steps = canary.steps ?? [];
    const step = Math.min(
      status.currentStepIndex ?? steps.length,
      steps.length,
    );
    out.steps = steps.length;
    out.step = step;
    const routed = status.canary?.weights?.canary?.weight;
    if (routed !== undefined) out.weight = routed;
    else if (status.abort) out.weight = 0;
    else if (step >= steps.length) out.weight = 100;
    else {
      const reached = steps
        .slice(0, step + 1)
        .map(s => s.setWeight)
        .filter((w): w is number => w !== undefined);
      out.weight = reached.length ? reached[reached.length - 1] : 0;
    }
  } else {
    out.activeSelector = status.blueGreen?.activeSelector || undefined;
    out.previewSelector = status.blueGreen?.previewSelector || undefined;
  }
  return out;
}
