import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

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

/** The `name` and `url` of a controller entry; the URL must parse. */
function namedUrl(c: Config, where: string) {
  const name = c.getString('name');
  const url = c.getString('url').replace(/\/+$/, '');
  try {
    // eslint-disable-next-line no-new
    new URL(url);
  } catch {
    throw new InputError(`${where} '${name}': url '${url}' is not a valid URL`);
  }
  return { name, url };
}

export function readFluxCluster(c: Config, where: string): FluxClusterConfig {
  const { name, url } = namedUrl(c, where);
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
export function readFluxClusters(config: Config): FluxClusterConfig[] {
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

export function readArgoInstance(
  c: Config,
  where: string,
  defaults: { username?: string; password?: string } = {},
): ArgoInstanceConfig {
  const { name, url } = namedUrl(c, where);
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
export function readArgoInstances(
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
