import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  GITOPS_ANNOTATIONS,
  GitopsApplication,
  applicationMatchesSelector,
  getEntityApplicationSelector,
} from '@gitops-portal/plugin-gitops-common';

/** `spec.type` of the Resource entities this module emits. */
export const GITOPS_RESOURCE_TYPE = 'gitops-application';
/** Annotation with the id of the application an entity stands for. */
export const ANNOTATION_APPLICATION_ID = 'gitops-portal.io/application-id';

const LABEL = (key: string) => `gitops-portal.io/${key}`;

/** A catalog-safe name: lowercase letters, digits and dashes, at most 63 characters. */
export function entityNameOf(applicationId: string): string {
  const clean = applicationId
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (clean.length <= 63) return clean;
  // keep it unique: a short hash of the full id
  let hash = 0;
  for (const ch of applicationId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `${clean.slice(0, 54).replace(/-+$/, '')}-${hash.toString(36)}`;
}

const tagOf = (s: string) =>
  s
    .toLocaleLowerCase('en-US')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50);

/** The annotations that make the Resource's Deployments tab show exactly its application. */
function selectorAnnotations(app: GitopsApplication): Record<string, string> {
  if (app.engine === 'argocd') {
    return {
      [GITOPS_ANNOTATIONS.ARGOCD_APP_NAME]: app.name,
      [GITOPS_ANNOTATIONS.ARGOCD_INSTANCE_NAME]: app.instance,
      [GITOPS_ANNOTATIONS.ARGOCD_APP_NAMESPACE]: app.namespace,
    };
  }
  return {
    [GITOPS_ANNOTATIONS.FLUX_OBJECTS]: `${app.instance}/${app.namespace}/${app.kind}/${app.name}`,
  };
}

/**
 * One Resource entity per GitOps application: owned like the Component it
 * belongs to, a dependency of it, in its System; status as labels (for
 * `filter=metadata.labels.…`) and tags (for the catalog table's tag filter).
 */
export function applicationToEntity(options: {
  app: GitopsApplication;
  components: Entity[];
  defaultOwner: string;
  providerName: string;
}): Entity {
  const { app, components } = options;
  const owners = components.filter(c => {
    try {
      const selector = getEntityApplicationSelector(c);
      return selector ? applicationMatchesSelector(selector, app) : false;
    } catch {
      return false;
    }
  });
  const component = owners[0];
  const spec = component?.spec as
    | { owner?: string; system?: string }
    | undefined;
  const location = `url:gitops://${options.providerName}/${encodeURIComponent(
    app.id,
  )}`;
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: entityNameOf(app.id),
      namespace: 'default',
      title: `${app.name} (${app.engine === 'argocd' ? 'Argo CD' : 'Flux'} ${
        app.instance
      })`,
      description: `${
        app.engine === 'argocd' ? 'Argo CD Application' : `Flux ${app.kind}`
      } ${app.namespace}/${app.name} on ${app.instance}, ${app.environment}`,
      labels: {
        [LABEL('engine')]: app.engine,
        [LABEL('environment')]: tagOf(app.environment) || 'none',
        [LABEL('sync')]: app.syncStatus,
        [LABEL('health')]: app.healthStatus,
        [LABEL('stale')]: String(app.stale),
      },
      annotations: {
        [ANNOTATION_LOCATION]: location,
        [ANNOTATION_ORIGIN_LOCATION]: location,
        [ANNOTATION_APPLICATION_ID]: app.id,
        ...selectorAnnotations(app),
      },
      tags: [
        `gitops-${app.engine}`,
        `env-${tagOf(app.environment) || 'none'}`,
        `sync-${tagOf(app.syncStatus)}`,
        `health-${tagOf(app.healthStatus)}`,
      ],
      ...(app.controllerUrl
        ? {
            links: [
              {
                url: app.controllerUrl,
                title: app.engine === 'argocd' ? 'Argo CD' : 'Flux',
              },
            ],
          }
        : {}),
    },
    spec: {
      type: GITOPS_RESOURCE_TYPE,
      owner: spec?.owner ?? options.defaultOwner,
      ...(spec?.system ? { system: spec.system } : {}),
      ...(owners.length
        ? { dependencyOf: owners.map(o => stringifyEntityRef(o)) }
        : {}),
    },
  };
}
