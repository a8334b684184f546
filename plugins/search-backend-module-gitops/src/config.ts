import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';

/** The collator's settings, read from `search.collators.gitops`. */
export interface GitopsCollatorSettings {
  schedule: SchedulerServiceTaskScheduleDefinition;
  locationTemplate: string;
}

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 10 },
  timeout: { minutes: 15 },
  initialDelay: { seconds: 3 },
};

export const DEFAULT_LOCATION_TEMPLATE =
  '/catalog/:namespace/:kind/:name/deployments';

/** Reads `search.collators.gitops`; the one place this module reads config. */
export function readGitopsCollatorConfig(
  config: Config,
): GitopsCollatorSettings {
  const own = config.getOptionalConfig('search.collators.gitops');
  const locationTemplate =
    own?.getOptionalString('locationTemplate') ?? DEFAULT_LOCATION_TEMPLATE;
  return {
    schedule: own?.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          own.getConfig('schedule'),
        )
      : DEFAULT_SCHEDULE,
    locationTemplate,
  };
}
