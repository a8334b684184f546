/*
 * The backend's one configuration reader: `readGitopsConfig` reads and checks
 * every `gitops.*` key (declared in ../../config.d.ts); each section's reader
 * lives beside it (controllers, notifications, promotion).
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  ArgoInstanceConfig,
  FluxClusterConfig,
  readArgoInstances,
  readFluxClusters,
} from './controllers';
import { NotificationSettings, readNotificationConfig } from './notifications';
import { positiveInteger } from './numbers';
import { PromotionSettings, readPromotionConfig } from './promotion';

export type { ArgoInstanceConfig, FluxClusterConfig } from './controllers';
export type { IncidentRule, NotificationSettings } from './notifications';
export type { PromotionSettings } from './promotion';

export interface GitSettings {
  enabled: boolean;
  refreshIntervalSeconds: number;
  cacheDir?: string;
  pendingLimit: number;
  historyBatchSize: number;
}

export interface GitopsSettings {
  pollIntervalSeconds: number;
  instanceTimeoutSeconds: number;
  instanceConcurrency: number;
  /** How many scheduled tasks the controllers are split into; undefined: one per controller, at most 16. */
  ingestionShards?: number;
  /** Follow controllers' change streams between full reads (Argo CD). */
  watch: boolean;
  argocd: ArgoInstanceConfig[];
  flux: FluxClusterConfig[];
  webhooks: {
    fluxHmacKey?: string;
    argocdToken?: string;
    maxBodyBytes: number;
  };
  git: GitSettings;
  promotion: PromotionSettings;
  metrics: {
    /** A deployment rolled back within this many hours counts as failed. */
    failureWindowHours: number;
    /** Fleet and team metrics are served from snapshots at most this old; 0 computes every time. */
    snapshotMaxAgeSeconds: number;
  };
  visibility: {
    /** How often the entities claiming applications are read from the catalog. */
    refreshIntervalSeconds: number;
  };
  /** How long deployment history is kept; forever without `retentionDays`. */
  history: {
    retentionDays?: number;
    keepPerApplication: number;
    pruneIntervalMinutes: number;
  };
  notifications: NotificationSettings;
}

/** Reads and checks the `gitops` config; fails early on bad combinations. */
export function readGitopsConfig(
  config: Config,
  options: { logger?: LoggerService } = {},
): GitopsSettings {
  const argocd = readArgoInstances(config, options.logger);
  const flux = readFluxClusters(config);
  const names = new Set<string>();
  for (const i of argocd) {
    if (names.has(i.name)) {
      throw new InputError(`Argo CD instance name '${i.name}' is used twice`);
    }
    names.add(i.name);
  }
  const clusters = new Set<string>();
  for (const c of flux) {
    if (clusters.has(c.name)) {
      throw new InputError(
        `gitops.flux.clusters: cluster name '${c.name}' is used twice`,
      );
    }
    clusters.add(c.name);
  }
  return {
    pollIntervalSeconds:
      config.getOptionalNumber('gitops.pollIntervalSeconds') ?? 30,
    instanceTimeoutSeconds:
      config.getOptionalNumber('gitops.instanceTimeoutSeconds') ?? 60,
    instanceConcurrency: Math.max(
      1,
      config.getOptionalNumber('gitops.instanceConcurrency') ?? 3,
    ),
    ingestionShards: positiveInteger(config, 'gitops.ingestionShards'),
    watch: config.getOptionalBoolean('gitops.watch') ?? true,
    argocd,
    flux,
    git: {
      enabled: config.getOptionalBoolean('gitops.git.enabled') ?? true,
      refreshIntervalSeconds:
        config.getOptionalNumber('gitops.git.refreshIntervalSeconds') ?? 60,
      cacheDir: config.getOptionalString('gitops.git.cacheDir'),
      pendingLimit: config.getOptionalNumber('gitops.git.pendingLimit') ?? 20,
      historyBatchSize:
        config.getOptionalNumber('gitops.git.historyBatchSize') ?? 500,
    },
    metrics: {
      failureWindowHours:
        config.getOptionalNumber('gitops.metrics.failureWindowHours') ?? 24,
      snapshotMaxAgeSeconds:
        config.getOptionalNumber('gitops.metrics.snapshotMaxAgeSeconds') ?? 300,
    },
    visibility: {
      refreshIntervalSeconds: Math.max(
        1,
        config.getOptionalNumber('gitops.visibility.refreshIntervalSeconds') ??
          60,
      ),
    },
    history: {
      retentionDays: positiveInteger(config, 'gitops.history.retentionDays'),
      keepPerApplication:
        positiveInteger(config, 'gitops.history.keepPerApplication') ?? 20,
      pruneIntervalMinutes:
        positiveInteger(config, 'gitops.history.pruneIntervalMinutes') ?? 60,
    },
    notifications: readNotificationConfig(config),
    promotion: readPromotionConfig(config),
    webhooks: {
      fluxHmacKey: config.getOptionalString('gitops.webhooks.fluxHmacKey'),
      argocdToken: config.getOptionalString('gitops.webhooks.argocdToken'),
      maxBodyBytes:
        config.getOptionalNumber('gitops.webhooks.maxBodyBytes') ?? 256 * 1024,
    },
  };
}
