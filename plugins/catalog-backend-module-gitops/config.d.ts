export interface Config {
  gitops?: {
    /** The catalog module (`catalogModuleGitops`): applications as Resource entities. */
    catalog?: {
      /** Owner of applications that belong to no Component. Default group:default/platform. */
      defaultOwner?: string;
      /**
       * How often the catalog is updated, in seconds. Default: the backend's
       * `gitops.pollIntervalSeconds`, else 30.
       */
      refreshIntervalSeconds?: number;
    };
  };
}
