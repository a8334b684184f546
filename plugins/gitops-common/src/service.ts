import type { GitopsApplication } from './types';

/**
 * The label that names an application's service, as Kubernetes recommends.
 *
 * @public
 */
export const SERVICE_LABEL = 'app.kubernetes.io/name';

/**
 * The service an application deploys: its `app.kubernetes.io/name` label,
 * else its name without a trailing environment (`checkout-prod` →
 * `checkout`). The fleet matrix groups applications by it.
 *
 * @public
 */
export function applicationService(
  app: Pick<GitopsApplication, 'name' | 'environment' | 'labels'>,
): string {
  const label = app.labels?.[SERVICE_LABEL];
  if (label) return label;
  for (const sep of ['-', '_', '.']) {
    const end = `${sep}${app.environment}`;
    if (app.name.endsWith(end) && app.name.length > end.length)
      return app.name.slice(0, -end.length);
  }
  return app.name;
}
