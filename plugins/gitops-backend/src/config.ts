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
}

export interface GitopsSettings {
  pollIntervalSeconds: number;
  instanceTimeoutSeconds: number;
  argocd: ArgoInstanceConfig[];
}

function readArgoInstance(c: Config): ArgoInstanceConfig {
  const name = c.getString('name');
  const url = c.getString('url').replace(/\/+$/, '');
  try {
    // eslint-disable-next-line no-new
    new URL(url);
  } catch {
    throw new InputError(
      `gitops.argocd.instances '${name}': url '${url}' is not a valid URL`,
    );
  }
  const token = c.getOptionalString('token');
  const username = c.getOptionalString('username');
  const password = c.getOptionalString('password');
  if (!token && !(username && password)) {
    throw new InputError(
      `gitops.argocd.instances '${name}': set either token, or username and password`,
    );
  }
  if (token && (username || password)) {
    throw new InputError(
      `gitops.argocd.instances '${name}': set token or username/password, not both`,
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
  };
}

/** Reads and checks the `gitops` config; fails early on bad combinations. */
export function readGitopsConfig(config: Config): GitopsSettings {
  const argocd = (
    config.getOptionalConfigArray('gitops.argocd.instances') ?? []
  ).map(readArgoInstance);
  const names = new Set<string>();
  for (const i of argocd) {
    if (names.has(i.name)) {
      throw new InputError(
        `gitops.argocd.instances: instance name '${i.name}' is used twice`,
      );
    }
    names.add(i.name);
  }
  return {
    pollIntervalSeconds:
      config.getOptionalNumber('gitops.pollIntervalSeconds') ?? 30,
    instanceTimeoutSeconds:
      config.getOptionalNumber('gitops.instanceTimeoutSeconds') ?? 60,
    argocd,
  };
}
