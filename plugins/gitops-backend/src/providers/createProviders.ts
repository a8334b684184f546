import { LoggerService } from '@backstage/backend-plugin-api';
import { GitopsSettings } from '../config';
import { EnvironmentConfig } from '../model/environments';
import { ArgoProvider } from './argocd/ArgoProvider';
import { FluxProvider } from './flux/FluxProvider';
import { GitopsProvider } from '../model/provider';

/** Builds one provider per configured Argo CD instance. */
export function createProviders(options: {
  settings: GitopsSettings;
  environments: EnvironmentConfig;
  logger: LoggerService;
}): GitopsProvider[] {
  const providers: GitopsProvider[] = [
    ...options.settings.argocd.map(
      instance =>
        new ArgoProvider({ instance, environments: options.environments }),
    ),
    ...options.settings.flux.map(
      cluster =>
        new FluxProvider({ cluster, environments: options.environments }),
    ),
  ];
  options.logger.info(
    `GitOps providers: ${
      providers.map(p => `${p.engine}/${p.instance}`).join(', ') || 'none'
    }`,
  );
  return providers;
}
