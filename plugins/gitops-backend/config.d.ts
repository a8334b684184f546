export interface Config {
  /** Configuration of the GitOps backend (`@gitops-portal/plugin-gitops-backend`). */
  gitops?: {
    /**
     * How often controllers are read, in seconds. Default 30.
     */
    pollIntervalSeconds?: number;
    /**
     * Time allowed to read one instance or cluster, in seconds. Default 60.
     */
    instanceTimeoutSeconds?: number;
    /**
     * How many instances and clusters are read at the same time. Each read
     * holds one instance's applications in memory. Default 3.
     */
    instanceConcurrency?: number;
    /**
     * How many scheduled tasks the controllers are split into. Each task is
     * run by one backend replica at a time (the Backstage scheduler's lock in
     * the database), so replicas share the controllers between them, and a
     * task whose replica died is run by another once its timeout has passed.
     * Default: one task per controller, at most 16.
     */
    ingestionShards?: number;
    /**
     * Follow each Argo CD instance's application stream
     * (`/api/v1/stream/applications`) between full reads, so a change is
     * stored within about a second instead of at the next poll. The full
     * read every `pollIntervalSeconds` stays: it reconciles events a stream
     * dropped and ends a stream that stalled. Default true.
     */
    watch?: boolean;

    /** Environments of applications and their promotion order. */
    environments?: {
      /** Promotion order, first to last. Default: dev, staging, prod. */
      order?: string[];
      /** Application label naming its environment. Default `environment`. */
      label?: string;
      /** Environment of applications that no label or rule places. Default `default`. */
      default?: string;
      /** First matching rule wins; every field given must match. */
      rules?: Array<{
        environment: string;
        /** Argo CD instance or cluster name, as configured here. */
        instance?: string;
        /** Namespace of the Application or Flux object. */
        namespace?: string;
        /** Destination cluster URL (`spec.destination.server`). */
        destinationServer?: string;
        /** Destination cluster name (`spec.destination.name`). */
        destinationName?: string;
        /** Destination namespace (`spec.destination.namespace`). */
        destinationNamespace?: string;
      }>;
    };

    /**
     * Owners told (through the Backstage notifications backend, when the
     * portal has it) when a deployment of their service fails, or leaves it
     * Degraded within `metrics.failureWindowHours`.
     */
    notifications?: {
      /** Default true; nothing is sent when the portal has no notifications backend. */
      enabled?: boolean;
      /**
       * The notification's link: where a service's Deployments tab is, with
       * `{namespace}`, `{kind}` and `{name}` filled in. Default
       * `/catalog/{namespace}/{kind}/{name}/deployments`.
       */
      entityTabPath?: string;
      /** Where the fleet page is; a controller's notification links there. Default `/gitops`. */
      fleetPath?: string;
      /** How often lasting incidents are looked for, in seconds. Default 60. */
      checkIntervalSeconds?: number;
      /** A deployment failed, or left the service Degraded: to the service's owners. Default on. */
      deploymentFailed?: { enabled?: boolean };
      /** A proposal merged and deployed: to its proposer. Default on. */
      proposalDeployed?: { enabled?: boolean };
      /** An application Degraded for longer than `afterMinutes` (default 15): to the owners. */
      degraded?: { enabled?: boolean; afterMinutes?: number };
      /**
       * An application out of sync, with a revision in Git it has not
       * deployed, for longer than `afterMinutes` (default 60): to the owners.
       */
      outOfSync?: { enabled?: boolean; afterMinutes?: number };
      /**
       * Drift not corrected: the cluster differs from the revision deployed
       * for longer than `afterMinutes` (default 15): to the owners.
       */
      drift?: { enabled?: boolean; afterMinutes?: number };
      /**
       * A controller the portal cannot read for longer than `afterMinutes`
       * (default 10): to `recipients` (a group or user entity ref); sent
       * only when that is set.
       */
      controllerUnreachable?: {
        enabled?: boolean;
        afterMinutes?: number;
        recipients?: string;
      };
    };

    /** Delivery performance (DORA metrics). */
    metrics?: {
      /**
       * A deployment followed within this many hours by a rollback of its
       * application counts as a failed change. Default 24.
       */
      failureWindowHours?: number;
      /**
       * Fleet and team metrics are read from snapshots at most this many
       * seconds old, recomputed in the background; 0 computes them on every
       * request. Default 300.
       */
      snapshotMaxAgeSeconds?: number;
    };

    /**
     * How long the deployment history is kept. Without `retentionDays` it is
     * kept forever.
     */
    history?: {
      /**
       * Deployments older than this many days are deleted by a background
       * task, except each application's `keepPerApplication` newest.
       */
      retentionDays?: number;
      /** Deployments of each application always kept, however old. Default 20. */
      keepPerApplication?: number;
      /** Minutes between runs of the task. Default 60. */
      pruneIntervalMinutes?: number;
    };

    /**
     * Who sees which applications on fleet-wide reads (fleet page, matrix,
     * `/applications/{id}`): an application claimed by catalog entities
     * (through their GitOps annotations) is shown only to users who may read
     * one of them. The claims are read from the catalog in the background.
     */
    visibility?: {
      /** Seconds between reads of the claiming entities. Default 60. */
      refreshIntervalSeconds?: number;
    };

    /**
     * Promotion and rollback as changes to Git. The entity annotation
     * `gitops-portal.io/promotion` says where an application's desired state
     * lives; these rules apply to applications whose entity has none.
     */
    promotion?: {
      /**
       * Soak before a promotion, per target environment in minutes (e.g.
       * `prod: 30`): the source environment must have run the candidate
       * Synced and Healthy this long, with no failed deployment of it. The
       * entity annotation `gitops-portal.io/soak-minutes` (`prod=30`)
       * overrides it per service.
       */
      soakMinutes?: { [environment: string]: number };
      /**
       * Automatic rollback proposals: when a promoted deployment turns
       * Degraded within `metrics.failureWindowHours`, the backend proposes
       * its rollback (never merges it) and tells the owners. Default off.
       */
      autoRollback?: { enabled?: boolean };
      /**
       * Freeze windows: promotions into these environments are refused
       * while one is in force (rollbacks are not). Weekly (`from: Fri 16:00`,
       * `to: Mon 08:00`, `timeZone: Europe/Berlin`, default UTC) or dated
       * (ISO date-times). The entity annotation `gitops-portal.io/freeze`
       * adds its own. `gitops.application.promote.override` lets a user
       * promote anyway (`override: true`), audited.
       */
      freezes?: Array<{
        /** Environments frozen; all when absent. */
        environments?: string[];
        from: string;
        to: string;
        timeZone?: string;
        reason?: string;
      }>;
      /** The repository the controllers read manifests from (manifest shape). */
      fleetRepo?: string;
      /** Its branch. Default main. */
      fleetBranch?: string;
      /**
       * Repositories besides the fleet repository that proposals may clone
       * and push to with the integrations' credentials: repository URLs, or
       * owners and hosts ending in `/*` (e.g. `https://github.com/acme/*`).
       * An entity's annotation (`repo=`) and an application's source can
       * only name one of these; `file://` repositories only when listed
       * here. Default: the fleet repository alone.
       */
      allowedRepositories?: string[];
      /**
       * The largest file, in bytes, that a proposal reads from or writes
       * to a repository; larger files are refused (or skipped when the
       * fleet repository is searched). Default 1048576 (1 MiB).
       */
      maxFileBytes?: number;
      /** How changes are proposed. Default pull-request on GitHub, branch elsewhere. */
      mode?: 'pull-request' | 'branch' | 'direct';
      /** Allow commits straight to the watched branch (mode direct). Default false. */
      allowDirect?: boolean;
      /** How often open proposals are checked for merge and deployment, in seconds. Default 30. */
      trackIntervalSeconds?: number;
      /** Author of the commits; the user who proposed is named in the message. */
      author?: { name?: string; email?: string };
      /** Rules by application labels; the first whose selector matches wins. */
      rules?: Array<{
        /** Label selector on applications; all when absent. */
        selector?: string;
        /** Environments the rule applies to; all when absent. */
        environments?: string[];
        shape: 'manifest' | 'kustomize-image' | 'helm-values' | 'revert';
        repo?: string;
        branch?: string;
        object?: string;
        image?: string;
        field?: 'newTag' | 'digest' | 'newName';
        file?: string;
        key?: string;
      }>;
    };

    /** Argo CD instances, read over the Argo CD REST API. */
    argocd?: {
      instances?: Array<{
        /** Unique name; matches the `argocd/instance-name` annotation. */
        name: string;
        /** Base URL of the Argo CD API server, e.g. https://argocd.example.com */
        url: string;
        /** URL of the Argo CD UI for links, if it differs from `url`. */
        uiUrl?: string;
        /**
         * API token of an Argo CD account (read-only is enough without actions).
         * @visibility secret
         */
        token?: string;
        /** Username for a session login, when no token is given. */
        username?: string;
        /**
         * Password for a session login.
         * @visibility secret
         */
        password?: string;
        /**
         * PEM CA certificate(s) trusted for this instance only.
         * @visibility secret
         */
        caData?: string;
        /** Skip TLS verification for this instance only. Never process wide. */
        skipTLSVerify?: boolean;
        /** Only applications in these namespaces (apps-in-any-namespace). Default: all. */
        appNamespaces?: string[];
        /** Request timeout, in seconds. Default 20. */
        timeoutSeconds?: number;
        /**
         * Token this instance's Argo CD notifications send in
         * `X-Gitops-Token` (to `/webhooks/argocd/<name>` or
         * `/webhooks/argocd`). It writes this instance's applications only,
         * and the instance no longer accepts gitops.webhooks.argocdToken.
         * @visibility secret
         */
        webhookToken?: string;
        /**
         * The largest answer read from this instance, in MB: a larger one
         * (a list far beyond what the fleet should hold, or a proxy sending
         * without end) fails that read with a clear error instead of filling
         * the backend's memory. Default 64 (about 20,000 applications).
         */
        maxResponseMegabytes?: number;
      }>;
    };

    /** Kubernetes clusters running Flux, read over the Kubernetes API. */
    flux?: {
      /**
       * Also read the clusters of `kubernetes.clusterLocatorMethods` (type
       * `config`, service-account auth) so clusters are declared once.
       */
      useKubernetesConfig?: boolean;
      clusters?: Array<{
        /** Unique name; the `instance` of its applications. */
        name: string;
        /** URL of the Kubernetes API server. */
        url: string;
        /**
         * Service-account token with get/list/watch on Flux objects (and patch for actions).
         * @visibility secret
         */
        serviceAccountToken?: string;
        /**
         * Base64 PEM CA data of the API server.
         * @visibility secret
         */
        caData?: string;
        /** Skip TLS verification for this cluster only. */
        skipTLSVerify?: boolean;
        /**
         * HMAC key of this cluster's notification-controller provider: its
         * events are accepted only when signed with it, so one cluster
         * cannot post as another. Default: gitops.webhooks.fluxHmacKey.
         * @visibility secret
         */
        webhookHmacKey?: string;
        /** Only these namespaces. Default: all. */
        namespaces?: string[];
      }>;
    };

    /**
     * Commit metadata and pending commits, read from GitHub's API or plain Git
     * with the credentials of Backstage's `integrations` config.
     */
    git?: {
      /** Default true. */
      enabled?: boolean;
      /** How often pending commits are refreshed, in seconds. Default 60. */
      refreshIntervalSeconds?: number;
      /** Where plain-Git partial clones are cached. Default: the OS temp dir. */
      cacheDir?: string;
      /** Most pending commits listed per source. Default 20. */
      pendingLimit?: number;
      /**
       * Deployments whose commits (the deployed one and those it brought)
       * are read per refresh, oldest first, until the history is described.
       * Default 500.
       */
      historyBatchSize?: number;
    };

    /** Push ingestion from controllers' notifications. */
    webhooks?: {
      /**
       * HMAC key of the Flux notification-controller `generic-hmac` provider.
       * @visibility secret
       */
      fluxHmacKey?: string;
      /**
       * Shared secret Argo CD notifications send in the `X-Gitops-Token` header.
       * @visibility secret
       */
      argocdToken?: string;
      /** Largest accepted body, in bytes. Default 262144. */
      maxBodyBytes?: number;
    };
  };

  /**
   * Config of the Roadie and community Argo CD backends, read as Argo CD
   * instances when `gitops.argocd` is absent (deprecated: move it to
   * `gitops.argocd.instances`).
   */
  argocd?: {
    /** Username for instances that name no credentials of their own. */
    username?: string;
    /**
     * Password for instances that name no credentials of their own.
     * @visibility secret
     */
    password?: string;
    appLocatorMethods?: Array<{
      /** Only `config` is read. */
      type: string;
      instances?: Array<{
        name: string;
        url: string;
        /** @visibility secret */
        token?: string;
        username?: string;
        /** @visibility secret */
        password?: string;
      }>;
    }>;
  };
}
