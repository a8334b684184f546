import { ApplicationSetStatus } from '@gitops-portal/plugin-gitops-common';
import { ArgoApplicationSet } from './types';

/**
 * An ApplicationSet's conditions and, with a progressive sync, where each
 * generated application is (`status.applicationStatus[].step`).
 */
export function mapApplicationSet(
  set: ArgoApplicationSet,
  options: { instance: string; readAt: string },
): ApplicationSetStatus | undefined {
  const name = set.metadata?.name;
  if (!name) return undefined;
  const strategy = set.spec?.strategy;
  const rolling = strategy?.type === 'RollingSync';
  return {
    instance: options.instance,
    namespace: set.metadata?.namespace ?? 'argocd',
    name,
    ...(strategy?.type ? { strategy: strategy.type } : {}),
    ...(rolling ? { steps: strategy?.rollingSync?.steps?.length ?? 0 } : {}),
    conditions: (set.status?.conditions ?? [])
      .filter(c => c.type && c.status)
      .map(c => ({
        type: c.type!,
        status: c.status!,
        reason: c.reason || undefined,
        message: c.message || undefined,
        lastTransitionTime: c.lastTransitionTime || undefined,
      })),
    applications: (set.status?.applicationStatus ?? [])
      .filter(a => a.application)
      .map(a => {
        const step = Number(a.step);
        return {
          application: a.application!,
          status: a.status || undefined,
          step: a.step && Number.isInteger(step) ? step : undefined,
          message: a.message || undefined,
          lastTransitionTime: a.lastTransitionTime || undefined,
        };
      })
      .sort((x, y) => x.application.localeCompare(y.application)),
    readAt: options.readAt,
  };
}
