import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { parseEntityRef } from '@backstage/catalog-model';
import { parseFreezeWindow, FreezeWindow } from './promotion/freezes';
import { InputError } from '@backstage/errors';
import {
  ChangeMode,
  checkPromotionRule,
  LabelRequirement,
  parseLabelSelector,
  PromotionRule,
} from '@gitops-portal/plugin-gitops-common';
import { DEFAULT_MAX_FILE_BYTES } from '@gitops-portal/plugin-gitops-node';

/** Connection settings of one Argo CD instance. */
export interface ArgoInstanceConfig {
  name: string;
  url: string;
  uiUrl: string;
  token?: string;
  username?: string;
  password?: string;
  caData?: string;
  skipTLSVerify: boolean;
  appNamespaces?: string[];
  timeoutMs: number;
  /** The largest answer read from the instance; a larger one fails the read (default 64 MB). */
  maxResponseBytes?: number;
  /** Token this instance's notifications send; it writes this instance's applications only. */
  webhookToken?: string;
}

/** Connection settings of one Kubernetes cluster running Flux. */
export interface FluxClusterConfig {
  name: string;
  url: string;
  token?: string;
  caData?: string;
  skipTLSVerify: boolean;
  namespaces?: string[];
  /** Key that signs this cluster's webhook events; default the global one. */
  webhookHmacKey?: string;
}

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

function readNotificationConfig(config: Config): NotificationSettings {
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

export interface PromotionSettings {
  /** The repository the controllers read their manifests from. */
  fleetRepo?: string;
  fleetBranch: string;
  /**
   * Repositories (or owners, `https://host/org/*`) besides the fleet
   * repository that proposals may clone and push to.
   */
  allowedRepositories: string[];
  /** The largest file a proposal reads from or writes to a repository. */
  maxFileBytes: number;
  /** How changes are proposed; default pull-request on GitHub, branch elsewhere. */
  mode?: ChangeMode;
  /** Whether mode 'direct' (a commit to the watched branch) is allowed. */
  allowDirect: boolean;
  /** Rules for applications whose entity has no annotation, first match wins. */
  rules: Array<{ selector?: LabelRequirement[]; rule: PromotionRule }>;
  /** Author of the commits; the user is named in the message. */
  author: { name: string; email: string };
  /** How often open proposals are checked, in seconds. */
  trackIntervalSeconds: number;
  /** Base URL of the portal, for links back in commit messages. */
  portalUrl?: string;
  /**
   * Soak per target environment, in minutes: a promotion into it waits until
   * the source environment has run the candidate Synced and Healthy this
   * long, with no failed deployment of it.
   */
  soakMinutes?: Record<string, number>;
  /** Times when promotions are refused (an override permission lets one through). */
  freezes?: FreezeWindow[];
  /**
   * Propose (never merge) the rollback of a promotion whose deployment
   * turns Degraded within the failure window.
   */
  autoRollback?: boolean;
}

function positive(config: Config, key: string, fallback: number): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new InputError(`${key} must be a positive number, not ${value}`);
  return value;
}

function readPromotionConfig(config: Config): PromotionSettings {
  const mode = config.getOptionalString('gitops.promotion.mode');
  if (mode && !['pull-request', 'branch', 'direct'].includes(mode)) {
    throw new InputError(
      `gitops.promotion.mode must be pull-request, branch or direct, not '${mode}'`,
    );
  }
  const allowDirect =
    config.getOptionalBoolean('gitops.promotion.allowDirect') ?? false;
  if (mode === 'direct' && !allowDirect) {
    throw new InputError(
      'gitops.promotion.mode is direct but gitops.promotion.allowDirect is not true',
    );
  }
  const rules = (
    config.getOptionalConfigArray('gitops.promotion.rules') ?? []
  ).map((c, i) => {
    const where = `gitops.promotion.rules[${i}]`;
    try {
      const selector = c.getOptionalString('selector');
      const { selector: _s, ...rest } = c.get<Record<string, unknown>>();
      return {
        selector: selector ? parseLabelSelector(selector) : undefined,
        rule: checkPromotionRule(rest as unknown as PromotionRule),
      };
    } catch (error) {
      throw new InputError(`${where}: ${(error as Error).message}`);
    }
  });
  const soakConfig = config.getOptionalConfig('gitops.promotion.soakMinutes');
  const soakMinutes = Object.fromEntries(
    (soakConfig?.keys() ?? []).map(env => [
      env,
      positive(config, `gitops.promotion.soakMinutes.${env}`, 0),
    ]),
  );
  const freezes = (
    config.getOptionalConfigArray('gitops.promotion.freezes') ?? []
  ).map((c, i) =>
    parseFreezeWindow(
      {
        environments: c.getOptionalStringArray('environments'),
        from: c.getString('from'),
        to: c.getString('to'),
        timeZone: c.getOptionalString('timeZone'),
        reason: c.getOptionalString('reason'),
      },
      `gitops.promotion.freezes[${i}]`,
    ),
  );
  return {
    soakMinutes,
    freezes,
    autoRollback:
      config.getOptionalBoolean('gitops.promotion.autoRollback.enabled') ??
      false,
    fleetRepo: config.getOptionalString('gitops.promotion.fleetRepo'),
    fleetBranch:
      config.getOptionalString('gitops.promotion.fleetBranch') ?? 'main',
    allowedRepositories:
      config.getOptionalStringArray('gitops.promotion.allowedRepositories') ??
      [],
    maxFileBytes: positive(
      config,
      'gitops.promotion.maxFileBytes',
      DEFAULT_MAX_FILE_BYTES,
    ),
    mode: mode as ChangeMode | undefined,
    allowDirect,
    rules,
    author: {
      name:
        config.getOptionalString('gitops.promotion.author.name') ??
        'Backstage GitOps',
      email:
        config.getOptionalString('gitops.promotion.author.email') ??
        'gitops@backstage.local',
    },
    trackIntervalSeconds:
      config.getOptionalNumber('gitops.promotion.trackIntervalSeconds') ?? 30,
    portalUrl: config.getOptionalString('app.baseUrl'),
  };
}

function readFluxCluster(c: Config, where: string): FluxClusterConfig {
  const name = c.getString('name');
  const url = c.getString('url').replace(/\/+$/, '');
  try {
    // eslint-disable-next-line no-new
    new URL(url);
  } catch {
    throw new InputError(`${where} '${name}': url '${url}' is not a valid URL`);
  }
  return {
    name,
    url,
    token:
      c.getOptionalString('serviceAccountToken') ??
      c.getOptionalString('token'),
    caData: c.getOptionalString('caData'),
    skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
    namespaces: c.getOptionalStringArray('namespaces'),
    webhookHmacKey: c.getOptionalString('webhookHmacKey'),
  };
}

/**
 * Flux clusters: `gitops.flux.clusters`, plus the clusters of the Kubernetes
 * plugin's `kubernetes.clusterLocatorMethods` (type `config`) when
 * `gitops.flux.useKubernetesConfig` is set, so clusters are declared once.
 */
function readFluxClusters(config: Config): FluxClusterConfig[] {
  const own = (config.getOptionalConfigArray('gitops.flux.clusters') ?? []).map(
    c => readFluxCluster(c, 'gitops.flux.clusters'),
  );
  if (!config.getOptionalBoolean('gitops.flux.useKubernetesConfig')) return own;
  const shared = (
    config.getOptionalConfigArray('kubernetes.clusterLocatorMethods') ?? []
  )
    .filter(m => m.getOptionalString('type') === 'config')
    .flatMap(m => m.getOptionalConfigArray('clusters') ?? [])
    .filter(
      c =>
        (c.getOptionalString('authProvider') ?? 'serviceAccount') ===
        'serviceAccount',
    )
    .map(c => readFluxCluster(c, 'kubernetes.clusterLocatorMethods.clusters'));
  return [...own, ...shared.filter(s => !own.some(o => o.name === s.name))];
}

function readArgoInstance(
  c: Config,
  where: string,
  defaults: { username?: string; password?: string } = {},
): ArgoInstanceConfig {
  const name = c.getString('name');
  const url = c.getString('url').replace(/\/+$/, '');
  try {
    // eslint-disable-next-line no-new
    new URL(url);
  } catch {
    throw new InputError(`${where} '${name}': url '${url}' is not a valid URL`);
  }
  const token = c.getOptionalString('token');
  const own = {
    username: c.getOptionalString('username'),
    password: c.getOptionalString('password'),
  };
  const { username, password } =
    token || own.username || own.password ? own : defaults;
  if (!token && !(username && password)) {
    throw new InputError(
      `${where} '${name}': set either token, or username and password`,
    );
  }
  if (token && (username || password)) {
    throw new InputError(
      `${where} '${name}': set token or username/password, not both`,
    );
  }
  return {
    name,
    url,
    uiUrl: (c.getOptionalString('uiUrl') ?? url).replace(/\/+$/, ''),
    token,
    username,
    password,
    caData: c.getOptionalString('caData'),
    skipTLSVerify: c.getOptionalBoolean('skipTLSVerify') ?? false,
    appNamespaces: c.getOptionalStringArray('appNamespaces'),
    timeoutMs: (c.getOptionalNumber('timeoutSeconds') ?? 20) * 1000,
    maxResponseBytes:
      (c.getOptionalNumber('maxResponseMegabytes') ?? 64) * 1024 * 1024,
    webhookToken: c.getOptionalString('webhookToken'),
  };
}

/**
 * Argo CD instances: `gitops.argocd.instances`; when `gitops.argocd` is
 * absent, the config of the Roadie and community Argo CD backends
 * (`argocd.appLocatorMethods[].instances[]`, with `argocd.username` and
 * `argocd.password` for instances that name no credentials of their own).
 */
function readArgoInstances(
  config: Config,
  logger?: LoggerService,
): ArgoInstanceConfig[] {
  if (config.has('gitops.argocd') || !config.has('argocd.appLocatorMethods')) {
    return (config.getOptionalConfigArray('gitops.argocd.instances') ?? []).map(
      c => readArgoInstance(c, 'gitops.argocd.instances'),
    );
  }
  const defaults = {
    username: config.getOptionalString('argocd.username'),
    password: config.getOptionalString('argocd.password'),
  };
  const instances = config
    .getConfigArray('argocd.appLocatorMethods')
    .filter(m => (m.getOptionalString('type') ?? 'config') === 'config')
    .flatMap(m => m.getOptionalConfigArray('instances') ?? [])
    .map(c =>
      readArgoInstance(c, 'argocd.appLocatorMethods.instances', defaults),
    );
  logger?.warn(
    `Reading ${instances.length} Argo CD instance(s) from argocd.appLocatorMethods, the config of the Roadie and community Argo CD plugins. ` +
      'This is deprecated: move them to gitops.argocd.instances (same name, url, token or username/password).',
  );
  return instances;
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

function positiveInteger(config: Config, key: string): number | undefined {
  const value = config.getOptionalNumber(key);
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) {
    throw new InputError(
      `${key} must be a whole number of at least 1, not ${value}`,
    );
  }
  return value;
}
