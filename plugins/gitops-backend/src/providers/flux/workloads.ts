import {
  ApplicationResource,
  HealthStatus,
} from '@gitops-portal/plugin-gitops-common';
import { FluxObject } from './types';

/** A Kubernetes object named by a Flux inventory entry. */
export interface InventoryRef {
  namespace?: string;
  name: string;
  group?: string;
  kind: string;
}

/** The workload kinds whose pod template and rollout the backend reads. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

/** A Deployment, StatefulSet or DaemonSet as `apps/v1` lists it: the parts read. */
export interface Workload {
  kind: string;
  metadata?: { name?: string; namespace?: string; generation?: number };
  spec?: {
    replicas?: number;
    template?: {
      spec?: {
        containers?: { image?: string }[];
        initContainers?: { image?: string }[];
      };
    };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
    desiredNumberScheduled?: number;
    numberAvailable?: number;
    updatedNumberScheduled?: number;
    conditions?: {
      type?: string;
      status?: string;
      reason?: string;
      message?: string;
    }[];
  };
}

const MAX_RESOURCES = 50;

/**
 * Parses an inventory entry id, `<namespace>_<name>_<group>_<kind>`
 * (namespace empty for cluster-scoped objects, group empty for the core
 * group). Kubernetes names and groups hold no `_`, so the split is exact.
 */
export function parseInventoryId(id: string): InventoryRef | undefined {
  const parts = id.split('_');
  if (parts.length !== 4 || !parts[1] || !parts[3]) return undefined;
  const [namespace, name, group, kind] = parts;
  return {
    ...(namespace ? { namespace } : {}),
    name,
    ...(group ? { group } : {}),
    kind,
  };
}

/** The objects a Kustomization or HelmRelease applied, from `status.inventory`. */
export function inventoryOf(obj: FluxObject): InventoryRef[] | undefined {
  const inventory = obj.status?.inventory as { entries?: unknown } | undefined;
  // an unexpected shape is no inventory, not an error for the whole cluster
  if (!inventory || !Array.isArray(inventory.entries)) return undefined;
  return inventory.entries.flatMap((e: { id?: unknown } | null) => {
    const ref =
      e && typeof e.id === 'string' ? parseInventoryId(e.id) : undefined;
    return ref ? [ref] : [];
  });
}

export const workloadKey = (kind: string, namespace?: string, name?: string) =>
  `${kind}/${namespace ?? ''}/${name ?? ''}`;

/**
 * Health of a workload as kstatus (which Flux's health checks use) computes
 * it: the controller has not seen the newest spec, replicas are not all
 * updated and available, or the rollout passed its progress deadline.
 */
export function workloadHealth(w: Workload): {
  healthStatus: HealthStatus;
  message?: string;
} {
  const s = w.status ?? {};
  if (
    w.metadata?.generation !== undefined &&
    (s.observedGeneration ?? 0) < w.metadata.generation
  ) {
    return {
      healthStatus: 'Progressing',
      message: 'Waiting for the controller to observe the newest spec',
    };
  }
  if (w.kind === 'DaemonSet') {
    const desired = s.desiredNumberScheduled ?? 0;
    const available = s.numberAvailable ?? 0;
    if ((s.updatedNumberScheduled ?? desired) < desired || available < desired)
      return {
        healthStatus: 'Progressing',
        message: `${available} of ${desired} pods available`,
      };
    return { healthStatus: 'Healthy' };
  }
  const desired = w.spec?.replicas ?? 1;
  const stuck = s.conditions?.find(
    c => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded',
  );
  if (stuck) return { healthStatus: 'Degraded', message: stuck.message };
  const ready =
    w.kind === 'StatefulSet' ? s.readyReplicas ?? 0 : s.availableReplicas ?? 0;
  if ((s.updatedReplicas ?? 0) < desired || ready < desired) {
    return {
      healthStatus: 'Progressing',
      message: `${ready} of ${desired} replicas ${
        w.kind === 'StatefulSet' ? 'ready' : 'available'
      }, ${s.updatedReplicas ?? 0} updated`,
    };
  }
  if (
    w.kind === 'StatefulSet' &&
    s.updateRevision &&
    s.currentRevision !== s.updateRevision
  ) {
    return {
      healthStatus: 'Progressing',
      message: `Rolling out revision ${s.updateRevision}`,
    };
  }
  return { healthStatus: 'Healthy' };
}

/**
 * Images from the spec when workloads cannot be read: a Kustomization's
 * `spec.images` overrides, or a HelmRelease's `image.repository`/`image.tag`
 * values (the common chart convention).
 */
export function declaredImages(obj: FluxObject): string[] | undefined {
  if (obj.kind === 'Kustomization') {
    const images = obj.spec?.images as
      | { name?: string; newName?: string; newTag?: string; digest?: string }[]
      | undefined;
    const out = (Array.isArray(images) ? images : []).flatMap(i => {
      const name = i.newName ?? i.name;
      if (!name) return [];
      if (i.digest) return [`${name}@${i.digest}`];
      return [i.newTag ? `${name}:${i.newTag}` : name];
    });
    return out.length ? out : undefined;
  }
  const image = (obj.spec?.values as { image?: unknown } | undefined)?.image as
    | { repository?: unknown; tag?: unknown; registry?: unknown }
    | undefined;
  if (image && typeof image.repository === 'string') {
    const repo =
      typeof image.registry === 'string' && image.registry
        ? `${image.registry}/${image.repository}`
        : image.repository;
    return [
      typeof image.tag === 'string' || typeof image.tag === 'number'
        ? `${repo}:${image.tag}`
        : repo,
    ];
  }
  return undefined;
}

/**
 * What the inventory says about an application, joined with the workloads
 * read from the cluster (undefined when they could not be read): how many
 * objects it manages, the images its workloads run, and the workloads that
 * are missing or not healthy.
 */
export function inventoryState(
  obj: FluxObject,
  workloads: Map<string, Workload> | undefined,
): {
  resourceCount?: number;
  images?: string[];
  resources?: ApplicationResource[];
} {
  const inventory = inventoryOf(obj);
  const declared = declaredImages(obj);
  if (!inventory) return declared ? { images: declared } : {};
  if (!workloads) {
    return { resourceCount: inventory.length, images: declared };
  }
  const images = new Set<string>();
  const resources: ApplicationResource[] = [];
  for (const ref of inventory) {
    if (ref.group !== 'apps' || !WORKLOAD_KINDS.includes(ref.kind)) continue;
    const w = workloads.get(workloadKey(ref.kind, ref.namespace, ref.name));
    if (!w) {
      resources.push({
        ...ref,
        syncStatus: 'OutOfSync',
        healthStatus: 'Missing',
        message: `Applied by Flux but not found in the cluster; Flux re-creates it at its next reconciliation`,
      });
      continue;
    }
    for (const c of w.spec?.template?.spec?.containers ?? []) {
      if (c.image) images.add(c.image);
    }
    const health = workloadHealth(w);
    if (health.healthStatus !== 'Healthy') {
      resources.push({ ...ref, syncStatus: 'Synced', ...health });
    }
  }
  return {
    resourceCount: inventory.length,
    images: images.size ? [...images].sort() : declared,
    resources: resources.length ? resources.slice(0, MAX_RESOURCES) : undefined,
  };
}
