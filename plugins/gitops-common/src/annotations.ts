import { Entity } from '@backstage/catalog-model';
import {
  LabelRequirement,
  matchesLabelSelector,
  parseLabelSelector,
} from './labelSelector';

/**
 * Annotations read from catalog entities. The Argo CD ones are those of the
 * Roadie and community Argo CD plugins, so existing entities work unchanged.
 *
 * @public
 */
export const GITOPS_ANNOTATIONS = {
  ARGOCD_APP_NAME: 'argocd/app-name',
  ARGOCD_APP_SELECTOR: 'argocd/app-selector',
  ARGOCD_INSTANCE_NAME: 'argocd/instance-name',
  ARGOCD_APP_NAMESPACE: 'argocd/app-namespace',
  ARGOCD_PROJECT_NAME: 'argocd/project-name',
  KUBERNETES_ID: 'backstage.io/kubernetes-id',
  KUBERNETES_LABEL_SELECTOR: 'backstage.io/kubernetes-label-selector',
  /** Flux objects of an entity that cannot be labelled: `[cluster/]namespace/Kind/name`, comma separated. */
  FLUX_OBJECTS: 'gitops-portal.io/flux-objects',
} as const;

/**
 * How the applications of one entity are found.
 *
 * @public
 */
export interface EntityApplicationSelector {
  /** Exact Argo CD application names (comma separated in the annotation). */
  argocdAppNames?: string[];
  /** Label selector on Argo CD applications (Kubernetes selector grammar). */
  argocdLabelSelector?: LabelRequirement[];
  argocdInstance?: string;
  argocdNamespace?: string;
  argocdProject?: string;
  /** Flux objects labelled `backstage.io/kubernetes-id` with this value. */
  kubernetesId?: string;
  /** Label selector on Flux objects (Kubernetes selector grammar). */
  kubernetesLabelSelector?: LabelRequirement[];
  /** Flux objects named explicitly. */
  fluxObjects?: Array<{
    cluster?: string;
    namespace: string;
    kind: string;
    name: string;
  }>;
}

/**
 * The longest GitOps annotation value read, in characters.
 *
 * @public
 */
export const ANNOTATION_MAX_LENGTH = 4096;

/**
 * The most applications or Flux objects one annotation may name.
 *
 * @public
 */
export const ANNOTATION_MAX_ITEMS = 100;

/**
 * Parses the `gitops-portal.io/flux-objects` annotation.
 *
 * @public
 */
export function parseFluxObjects(
  value: string,
): Array<{ cluster?: string; namespace: string; kind: string; name: string }> {
  const refs = value
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
  if (refs.length > ANNOTATION_MAX_ITEMS) {
    throw new TypeError(
      `${refs.length} Flux objects, more than the ${ANNOTATION_MAX_ITEMS} allowed`,
    );
  }
  return refs.map(ref => {
    const parts = ref.split('/');
    if (parts.length < 3 || parts.length > 4 || parts.some(p => !p)) {
      throw new TypeError(
        `Flux object '${ref}' must be [cluster/]namespace/Kind/name`,
      );
    }
    const [cluster, namespace, kind, name] =
      parts.length === 4 ? parts : [undefined, ...parts];
    if (kind !== 'Kustomization' && kind !== 'HelmRelease') {
      throw new TypeError(
        `Flux object '${ref}': kind must be Kustomization or HelmRelease`,
      );
    }
    return { cluster, namespace: namespace!, kind, name: name! };
  });
}

/**
 * Reads the GitOps annotations of an entity; undefined when it has none.
 *
 * @public
 */
export function getEntityApplicationSelector(
  entity: Entity,
): EntityApplicationSelector | undefined {
  const a = entity.metadata.annotations ?? {};
  for (const key of Object.values(GITOPS_ANNOTATIONS)) {
    const value = a[key];
    if (typeof value === 'string' && value.length > ANNOTATION_MAX_LENGTH) {
      throw new TypeError(
        `${key} is ${value.length} characters long, more than the ${ANNOTATION_MAX_LENGTH} allowed`,
      );
    }
  }
  const names = a[GITOPS_ANNOTATIONS.ARGOCD_APP_NAME]
    ?.split(',')
    .map(n => n.trim())
    .filter(Boolean);
  if (names && names.length > ANNOTATION_MAX_ITEMS) {
    throw new TypeError(
      `${GITOPS_ANNOTATIONS.ARGOCD_APP_NAME} names ${names.length} applications, more than the ${ANNOTATION_MAX_ITEMS} allowed`,
    );
  }
  const selector = a[GITOPS_ANNOTATIONS.ARGOCD_APP_SELECTOR];
  const kubernetesId = a[GITOPS_ANNOTATIONS.KUBERNETES_ID];
  const kubernetesSelector = a[GITOPS_ANNOTATIONS.KUBERNETES_LABEL_SELECTOR];
  const fluxObjects = a[GITOPS_ANNOTATIONS.FLUX_OBJECTS];
  if (
    !names?.length &&
    !selector &&
    !kubernetesId &&
    !kubernetesSelector &&
    !fluxObjects
  ) {
    return undefined;
  }
  return {
    kubernetesId: kubernetesId || undefined,
    kubernetesLabelSelector: kubernetesSelector
      ? parseLabelSelector(kubernetesSelector)
      : undefined,
    fluxObjects: fluxObjects ? parseFluxObjects(fluxObjects) : undefined,
    argocdAppNames: names?.length ? names : undefined,
    argocdLabelSelector: selector ? parseLabelSelector(selector) : undefined,
    argocdInstance: a[GITOPS_ANNOTATIONS.ARGOCD_INSTANCE_NAME],
    argocdNamespace: a[GITOPS_ANNOTATIONS.ARGOCD_APP_NAMESPACE],
    argocdProject: a[GITOPS_ANNOTATIONS.ARGOCD_PROJECT_NAME],
  };
}

/**
 * True when the entity carries any annotation the GitOps plugins understand.
 *
 * @public
 */
export function isGitopsAvailable(entity: Entity): boolean {
  const a = entity.metadata.annotations ?? {};
  return Boolean(
    a[GITOPS_ANNOTATIONS.ARGOCD_APP_NAME] ||
      a[GITOPS_ANNOTATIONS.ARGOCD_APP_SELECTOR] ||
      a[GITOPS_ANNOTATIONS.KUBERNETES_ID] ||
      a[GITOPS_ANNOTATIONS.KUBERNETES_LABEL_SELECTOR] ||
      a[GITOPS_ANNOTATIONS.FLUX_OBJECTS],
  );
}

/**
 * Whether an application belongs to an entity with the given selector:
 * the same rules the backend applies in its store queries.
 *
 * @public
 */
export function applicationMatchesSelector(
  selector: EntityApplicationSelector,
  app: {
    engine: string;
    instance: string;
    namespace: string;
    name: string;
    kind: string;
    project?: string;
    labels: Record<string, string>;
  },
): boolean {
  const hasLabels = (wanted: LabelRequirement[]) =>
    matchesLabelSelector(wanted, app.labels);
  if (app.engine === 'argocd') {
    if (selector.argocdInstance && selector.argocdInstance !== app.instance)
      return false;
    if (selector.argocdNamespace && selector.argocdNamespace !== app.namespace)
      return false;
    if (selector.argocdProject && selector.argocdProject !== app.project)
      return false;
    return Boolean(
      selector.argocdAppNames?.includes(app.name) ||
        (selector.argocdLabelSelector &&
          hasLabels(selector.argocdLabelSelector)),
    );
  }
  return Boolean(
    (selector.kubernetesId &&
      app.labels[GITOPS_ANNOTATIONS.KUBERNETES_ID] === selector.kubernetesId) ||
      (selector.kubernetesLabelSelector &&
        hasLabels(selector.kubernetesLabelSelector)) ||
      selector.fluxObjects?.some(
        o =>
          (!o.cluster || o.cluster === app.instance) &&
          o.namespace === app.namespace &&
          o.kind === app.kind &&
          o.name === app.name,
      ),
  );
}
