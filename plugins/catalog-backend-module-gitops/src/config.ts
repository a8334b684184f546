import { RootConfigService } from '@backstage/backend-plugin-api';

/** The catalog module's settings (`gitops.catalog`, see config.d.ts). */
export interface CatalogModuleSettings {
  defaultOwner: string;
  refreshIntervalSeconds: number;
}

/** Reads the catalog module's settings, with their defaults. */
export function readCatalogModuleConfig(
  config: RootConfigService,
): CatalogModuleSettings {
  return {
    defaultOwner:
      config.getOptionalString('gitops.catalog.defaultOwner') ??
      'group:default/platform',
    // as often as the backend reads its controllers, unless told
    refreshIntervalSeconds:
      config.getOptionalNumber('gitops.catalog.refreshIntervalSeconds') ??
      config.getOptionalNumber('gitops.pollIntervalSeconds') ??
      30,
  };
}
