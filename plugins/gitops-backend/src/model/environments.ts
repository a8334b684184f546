import { Config } from '@backstage/config';
import {
  ApplicationPreview,
  PREVIEW_ENVIRONMENT,
  previewOf,
} from '@gitops-portal/plugin-gitops-common';

/** A rule that gives applications matching it an environment. */
export interface EnvironmentRule {
  environment: string;
  instance?: string;
  destinationServer?: string;
  destinationName?: string;
  destinationNamespace?: string;
  namespace?: string;
}

export interface EnvironmentConfig {
  /** Promotion order, e.g. dev, staging, prod. */
  order: string[];
  /** Application label that names the environment, read before the rules. */
  label: string;
  rules: EnvironmentRule[];
  /** Environment of applications that match nothing. */
  fallback: string;
}

export function readEnvironmentConfig(config: Config): EnvironmentConfig {
  const env = config.getOptionalConfig('gitops.environments');
  return {
    order: env?.getOptionalStringArray('order') ?? ['dev', 'staging', 'prod'],
    label: env?.getOptionalString('label') ?? 'environment',
    fallback: env?.getOptionalString('default') ?? 'default',
    rules: (env?.getOptionalConfigArray('rules') ?? []).map(r => ({
      environment: r.getString('environment'),
      instance: r.getOptionalString('instance'),
      destinationServer: r.getOptionalString('destinationServer'),
      destinationName: r.getOptionalString('destinationName'),
      destinationNamespace: r.getOptionalString('destinationNamespace'),
      namespace: r.getOptionalString('namespace'),
    })),
  };
}

/** The environment of an application: its label, else the first matching rule. */
export function resolveEnvironment(
  app: {
    instance: string;
    namespace: string;
    labels: Record<string, string>;
    destination: { server?: string; name?: string; namespace?: string };
  },
  config: EnvironmentConfig,
): string {
  const fromLabel = app.labels[config.label];
  if (fromLabel) return fromLabel;
  const rule = config.rules.find(
    r =>
      (!r.instance || r.instance === app.instance) &&
      (!r.namespace || r.namespace === app.namespace) &&
      (!r.destinationServer ||
        r.destinationServer === app.destination.server) &&
      (!r.destinationName || r.destinationName === app.destination.name) &&
      (!r.destinationNamespace ||
        r.destinationNamespace === app.destination.namespace),
  );
  return rule?.environment ?? config.fallback;
}

/**
 * Where an application belongs: the preview of a pull request (environment
 * `preview`, README "Previews") when its annotations say so, else its
 * environment by label or rule.
 */
export function placeApplication(
  app: Parameters<typeof resolveEnvironment>[0] & {
    annotations?: Record<string, string>;
    createdAt?: string;
  },
  config: EnvironmentConfig,
): { environment: string; preview?: ApplicationPreview } {
  const preview = previewOf(app.annotations, app.createdAt);
  return preview
    ? { environment: PREVIEW_ENVIRONMENT, preview }
    : { environment: resolveEnvironment(app, config) };
}
