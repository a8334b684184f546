import {
  GitopsApplication,
  GitopsEngine,
  applicationId,
} from '@gitops-portal/plugin-gitops-common';
import { NewDeployment } from '../model/deployments';
import { EnvironmentConfig, resolveEnvironment } from '../model/environments';

type Mapped = { application: GitopsApplication; deployments: NewDeployment[] };

/**
 * Maps one controller object, and when its shape is not what the API
 * promises (a field of another type, a list that is an object), answers it
 * as an application of unknown state that says so, instead of failing the
 * read of the whole instance: one malformed object hides nothing else.
 */
export function mapSafely<T extends { metadata?: unknown }>(
  item: T,
  map: () => Mapped | undefined,
  context: {
    engine: GitopsEngine;
    instance: string;
    /** The application name it would have (Flux: `Kind/name`). */
    name: (item: T) => string | undefined;
    environments: EnvironmentConfig;
    readAt: string;
    /** The namespace of an object that names none. */
    defaultNamespace: string;
  },
): Mapped | undefined {
  try {
    return map();
  } catch (error) {
    const meta = (item.metadata ?? {}) as {
      name?: unknown;
      namespace?: unknown;
    };
    const name = context.name(item);
    const namespace =
      typeof meta.namespace === 'string'
        ? meta.namespace
        : context.defaultNamespace;
    if (!name || typeof meta.name !== 'string') return undefined;
    const destination = { name: context.instance };
    return {
      application: {
        id: applicationId({
          engine: context.engine,
          instance: context.instance,
          namespace,
          name,
        }),
        engine: context.engine,
        instance: context.instance,
        namespace,
        name: meta.name,
        kind: name.includes('/') ? name.split('/')[0] : 'Application',
        destination,
        environment: resolveEnvironment(
          { instance: context.instance, namespace, labels: {}, destination },
          context.environments,
        ),
        sources: [],
        syncStatus: 'Unknown',
        healthStatus: 'Unknown',
        message: `The controller's object could not be read: ${String(
          (error as Error)?.message ?? error,
        ).slice(0, 300)}`,
        revisions: [],
        labels: {},
        stale: false,
        lastReadAt: context.readAt,
      },
      deployments: [],
    };
  }
}
