import { useApi } from '@backstage/core-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  DeliveryMetrics,
  DeliveryMetricsWindow,
} from '@gitops-portal/plugin-gitops-common';
import useAsync from 'react-use/esm/useAsync';
import { gitopsApiRef } from '../../api';

/** Delivery metrics of an entity (a service, a team, a system). */
export function useDeliveryMetrics(
  entity: Entity,
  window: DeliveryMetricsWindow,
  environment?: string,
) {
  const api = useApi(gitopsApiRef);
  return useAsync(
    (): Promise<DeliveryMetrics> =>
      api.getDeliveryMetrics(
        {
          entity: {
            kind: entity.kind,
            namespace: entity.metadata.namespace,
            name: entity.metadata.name,
          },
        },
        { window, environment },
      ),
    [api, entity, window, environment],
  );
}
