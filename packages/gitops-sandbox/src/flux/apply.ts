import { sha } from '../fleet';
import { FluxManifest, Obj, iso, meta, ready } from './objects';

/** The object the API server creates from a fleet manifest (`key` names it). */
export function createdFrom(m: FluxManifest, key: string, now: number): Obj {
  const namespace = m.metadata.namespace ?? 'flux-system';
  return {
    apiVersion: m.apiVersion,
    kind: m.kind,
    metadata: {
      ...meta(m.metadata.name, namespace, m.metadata.labels),
      uid: sha(key).slice(0, 32),
      creationTimestamp: iso(now),
    },
    spec: structuredClone(m.spec),
    status: {
      observedGeneration: 1,
      ...(m.kind === 'Kustomization'
        ? {
            conditions: [
              ready(
                'Unknown',
                'Progressing',
                'Reconciliation in progress',
                now,
              ),
            ],
          }
        : {}),
    },
  };
}

/**
 * A JSON merge patch (RFC 7386) of an object's metadata.annotations and
 * spec; a `reconcile.fluxcd.io/requestedAt` annotation is handled at once.
 */
export function mergePatch(obj: Obj, body: any): Obj {
  if (body?.metadata?.annotations) {
    obj.metadata.annotations = {
      ...obj.metadata.annotations,
      ...body.metadata.annotations,
    };
  }
  if (body?.spec) Object.assign(obj.spec, body.spec);
  obj.metadata.resourceVersion = String(
    Number(obj.metadata.resourceVersion) + 1,
  );
  const requested =
    body?.metadata?.annotations?.['reconcile.fluxcd.io/requestedAt'];
  if (requested) obj.status.lastHandledReconcileAt = requested;
  return obj;
}
