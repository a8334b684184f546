import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  search?: {
    collators?: {
      /** The GitOps collator (`@gitops-portal/plugin-search-backend-module-gitops`). */
      gitops?: {
        /**
         * How often GitOps applications are indexed. Default: every 10
         * minutes, 15 minutes timeout, first run 3 seconds after start.
         */
        schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
        /**
         * Where a result links to, with `:namespace`, `:kind` and `:name` of
         * the entity that claims the application. Default
         * `/catalog/:namespace/:kind/:name/deployments` (the Deployments tab);
         * `application=<id>` is added to the query, one location per
         * application.
         */
        locationTemplate?: string;
      };
    };
  };
}
