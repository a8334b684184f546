import { Config } from '@backstage/config';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { positive } from './numbers';

/** A lasting state owners are told about: whether, and after how long. */
export interface IncidentRule {
  enabled: boolean;
  afterMinutes: number;
}

export interface NotificationSettings {
  /** Nothing is sent when false (or when the portal has no notifications backend). */
  enabled: boolean;
  /** Where a service's Deployments tab is: `{namespace}`, `{kind}`, `{name}` filled in. */
  entityTabPath: string;
  /** Where the fleet page is (a controller's notification links there). */
  fleetPath: string;
  checkIntervalSeconds: number;
  deploymentFailed: boolean;
  proposalDeployed: boolean;
  degraded: IncidentRule;
  outOfSync: IncidentRule;
  drift: IncidentRule;
  /** Sent to `recipients` (an entity ref) only. */
  controllerUnreachable: IncidentRule & { recipients?: string };
}

export function readNotificationConfig(config: Config): NotificationSettings {
  const base = 'gitops.notifications';
  const rule = (key: string, afterMinutes: number): IncidentRule => {
    const after =
      config.getOptionalNumber(`${base}.${key}.afterMinutes`) ?? afterMinutes;
    if (!Number.isFinite(after) || after < 0)
      throw new InputError(
        `${base}.${key}.afterMinutes must be 0 or more, not ${after}`,
      );
    return {
      enabled: config.getOptionalBoolean(`${base}.${key}.enabled`) ?? true,
      afterMinutes: after,
    };
  };
  const recipients = config.getOptionalString(
    `${base}.controllerUnreachable.recipients`,
  );
  if (recipients) {
    try {
      parseEntityRef(recipients);
    } catch {
      throw new InputError(
        `${base}.controllerUnreachable.recipients must be an entity ref such as group:default/platform, not ${recipients}`,
      );
    }
  }
  const unreachable = rule('controllerUnreachable', 10);
  return {
    enabled: config.getOptionalBoolean(`${base}.enabled`) ?? true,
    entityTabPath:
      config.getOptionalString(`${base}.entityTabPath`) ??
      '/catalog/{namespace}/{kind}/{name}/deployments',
    fleetPath: config.getOptionalString(`${base}.fleetPath`) ?? '/gitops',
    checkIntervalSeconds: positive(config, `${base}.checkIntervalSeconds`, 60),
    deploymentFailed:
      config.getOptionalBoolean(`${base}.deploymentFailed.enabled`) ?? true,
    proposalDeployed:
      config.getOptionalBoolean(`${base}.proposalDeployed.enabled`) ?? true,
    degraded: rule('degraded', 15),
    outOfSync: rule('outOfSync', 60),
    drift: rule('drift', 15),
    controllerUnreachable: {
      ...unreachable,
      enabled: unreachable.enabled && Boolean(recipients),
      recipients,
    },
  };
}
