import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  GITOPS_ANNOTATIONS,
  getEntityApplicationSelector,
} from '@gitops-portal/plugin-gitops-common';
import { ApplicationQuery } from '../database/GitopsStore';

/**
 * Store queries that select the applications of an entity, from its GitOps
 * annotations; an invalid annotation is an InputError naming the entity.
 */
export function applicationQueriesOf(entity: Entity): ApplicationQuery[] {
  let selector;
  try {
    selector = getEntityApplicationSelector(entity);
  } catch (e) {
    throw new InputError(
      `Entity '${stringifyEntityRef(
        entity,
      )}' has an invalid GitOps annotation: ${(e as Error).message}`,
    );
  }
  if (!selector) return [];
  const common = {
    engine: 'argocd' as const,
    instance: selector.argocdInstance,
    namespace: selector.argocdNamespace,
    project: selector.argocdProject,
  };
  const queries: ApplicationQuery[] = [];
  if (selector.argocdAppNames) {
    queries.push({ ...common, names: selector.argocdAppNames });
  }
  if (selector.argocdLabelSelector) {
    queries.push({ ...common, labels: selector.argocdLabelSelector });
  }
  if (selector.kubernetesId) {
    queries.push({
      engine: 'flux',
      labels: [
        {
          key: GITOPS_ANNOTATIONS.KUBERNETES_ID,
          operator: 'In',
          values: [selector.kubernetesId],
        },
      ],
    });
  }
  if (selector.kubernetesLabelSelector) {
    queries.push({
      engine: 'flux',
      labels: selector.kubernetesLabelSelector,
    });
  }
  for (const o of selector.fluxObjects ?? []) {
    queries.push({
      engine: 'flux',
      instance: o.cluster,
      namespace: o.namespace,
      kind: o.kind,
      names: [o.name],
    });
  }
  return queries;
}
