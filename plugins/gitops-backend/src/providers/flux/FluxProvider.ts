import {
  AppsV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesListObject,
  KubernetesObject,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { GitopsApplication } from '@gitops-portal/plugin-gitops-common';
import { FluxClusterConfig } from '../../config';
import { EnvironmentConfig } from '../../model/environments';
import { GitopsProvider, ProviderSnapshot } from '../../model/provider';
import { batchChanges } from '../batchChanges';
import { abortable, describe } from './kubeCalls';
import { mapFluxObject } from './mapFlux';
import {
  FLUX_APP_KINDS,
  FLUX_KINDS,
  FLUX_SOURCE_KINDS,
  FluxKind,
  FluxObject,
} from './types';
import {
  WORKLOAD_KINDS,
  Workload,
  inventoryOf,
  workloadKey,
} from './workloads';

/**
 * Reads Flux Kustomizations and HelmReleases, with their sources, from one
 * cluster through the Kubernetes API, and acts on them (reconcile, suspend,
 * resume).
 */
export class FluxProvider implements GitopsProvider {
  readonly engine = 'flux' as const;
  readonly instance: string;
  private readonly api: CustomObjectsApi;
  private readonly apps: AppsV1Api;
  private readonly kc: KubeConfig;
  /** What the last full read found, to map what a watch reports. */
  private last?: {
    sources: Map<string, FluxObject>;
    workloads?: Map<string, Workload>;
  };

  constructor(
    private readonly options: {
      cluster: FluxClusterConfig;
      environments: EnvironmentConfig;
    },
  ) {
    const { cluster } = options;
    this.instance = cluster.name;
    const kc = new KubeConfig();
    this.kc = kc;
    kc.loadFromOptions({
      clusters: [
        {
          name: cluster.name,
          server: cluster.url,
          caData: cluster.caData,
          skipTLSVerify: cluster.skipTLSVerify,
        },
      ],
      users: [{ name: 'backstage', token: cluster.token }],
      contexts: [
        { name: cluster.name, cluster: cluster.name, user: 'backstage' },
      ],
      currentContext: cluster.name,
    });
    this.api = kc.makeApiClient(CustomObjectsApi);
    this.apps = kc.makeApiClient(AppsV1Api);
  }

  /**
   * The Deployments, StatefulSets and DaemonSets of the kinds that Flux
   * inventories name, one cluster-wide list per kind. Undefined when the
   * cluster does not let the backend read them (RBAC): images then come
   * from the Flux objects' specs, and workload health is not known.
   */
  private async workloads(
    objects: FluxObject[],
    signal?: AbortSignal,
  ): Promise<Map<string, Workload> | undefined> {
    const kinds = new Set<string>();
    for (const obj of objects) {
      for (const ref of inventoryOf(obj) ?? []) {
        if (ref.group === 'apps' && WORKLOAD_KINDS.includes(ref.kind))
          kinds.add(ref.kind);
      }
    }
    if (kinds.size === 0) return undefined;
    const out = new Map<string, Workload>();
    for (const kind of WORKLOAD_KINDS.filter(k => kinds.has(k))) {
      let list: { items?: unknown[] };
      try {
        const lists: Record<string, () => Promise<{ items?: unknown[] }>> = {
          Deployment: () => this.apps.listDeploymentForAllNamespaces(),
          StatefulSet: () => this.apps.listStatefulSetForAllNamespaces(),
          DaemonSet: () => this.apps.listDaemonSetForAllNamespaces(),
        };
        list = await abortable(lists[kind](), signal);
      } catch (error) {
        if (signal?.aborted) throw error;
        const code = (error as { code?: number }).code;
        if (code === 401 || code === 403 || code === 404) return undefined;
        throw describe(error, this.instance);
      }
      for (const item of (list.items ?? []) as Workload[]) {
        out.set(
          workloadKey(kind, item.metadata?.namespace, item.metadata?.name),
          { ...item, kind },
        );
      }
    }
    return out;
  }

  /** One list request of a kind: in a namespace, or cluster-wide. */
  private listIn(kind: FluxKind, namespace?: string): Promise<unknown> {
    const { group, version, plural } = FLUX_KINDS[kind];
    return namespace
      ? this.api.listNamespacedCustomObject({
          group,
          version,
          namespace,
          plural,
        })
      : this.api.listClusterCustomObject({ group, version, plural });
  }

  private async list(
    kind: FluxKind,
    signal?: AbortSignal,
  ): Promise<FluxObject[]> {
    const { group, version } = FLUX_KINDS[kind];
    const namespaces = this.options.cluster.namespaces ?? [undefined];
    const items: FluxObject[] = [];
    for (const namespace of namespaces) {
      try {
        const body = (await abortable(
          this.listIn(kind, namespace),
          signal,
        )) as { items?: FluxObject[] };
        // list items carry no apiVersion/kind
        items.push(
          ...(body.items ?? []).map(i => ({
            ...i,
            kind,
            apiVersion: `${group}/${version}`,
          })),
        );
      } catch (error) {
        if (signal?.aborted) throw error;
        // a Flux component that is not installed (404 for its CRD) is not an error
        if ((error as { code?: number }).code === 404) continue;
        throw describe(error, this.instance);
      }
    }
    return items;
  }

  async read(options: { signal?: AbortSignal }): Promise<ProviderSnapshot> {
    const sources = new Map<string, FluxObject>();
    const objects: FluxObject[] = [];
    for (const kind of [...FLUX_SOURCE_KINDS, ...FLUX_APP_KINDS]) {
      const items = await this.list(kind, options.signal);
      if (FLUX_SOURCE_KINDS.includes(kind)) {
        for (const s of items) {
          sources.set(
            `${kind}/${s.metadata?.namespace}/${s.metadata?.name}`,
            s,
          );
        }
      } else {
        objects.push(...items);
      }
    }
    const workloads = await this.workloads(objects, options.signal);
    this.last = { sources, workloads };
    const readAt = new Date().toISOString();
    const snapshot: ProviderSnapshot = { applications: [], deployments: [] };
    for (const obj of objects) {
      const mapped = mapFluxObject(obj, {
        cluster: this.instance,
        environments: this.options.environments,
        sources,
        readAt,
        workloads,
      });
      if (mapped) {
        snapshot.applications.push(mapped.application);
        snapshot.deployments.push(...mapped.deployments);
      }
    }
    return snapshot;
  }

  /**
   * Follows Kustomizations and HelmReleases with Kubernetes informers (list,
   * then watch from its resourceVersion; bookmarks; a new list on 410 Gone),
   * one per kind and namespace. Objects are mapped with the sources and
   * workloads of the last full read. Ends when `signal` aborts; throws when
   * an informer fails (the next full read starts over).
   */
  async watch(options: {
    signal: AbortSignal;
    onChange: (changed: ProviderSnapshot) => Promise<void>;
  }): Promise<void> {
    const last = this.last ?? { sources: new Map<string, FluxObject>() };
    const batch = batchChanges<FluxObject>({
      onChange: options.onChange,
      map: items => {
        const readAt = new Date().toISOString();
        const changed: ProviderSnapshot = { applications: [], deployments: [] };
        for (const obj of items) {
          const mapped = mapFluxObject(obj, {
            cluster: this.instance,
            environments: this.options.environments,
            sources: last.sources,
            workloads: last.workloads,
            readAt,
          });
          if (mapped) {
            changed.applications.push(mapped.application);
            changed.deployments.push(...mapped.deployments);
          }
        }
        return changed;
      },
    });
    const namespaces = this.options.cluster.namespaces ?? [undefined];
    const informers = FLUX_APP_KINDS.flatMap(kind => {
      const { group, version, plural } = FLUX_KINDS[kind];
      return namespaces.map(namespace => {
        const path = namespace
          ? `/apis/${group}/${version}/namespaces/${namespace}/${plural}`
          : `/apis/${group}/${version}/${plural}`;
        const list = async () =>
          (await this.listIn(
            kind,
            namespace,
          )) as KubernetesListObject<KubernetesObject>;
        const informer = makeInformer(this.kc, path, list);
        const seen = (obj: KubernetesObject) => {
          // list and watch items carry no apiVersion/kind
          const item = {
            ...(obj as FluxObject),
            kind,
            apiVersion: `${group}/${version}`,
          };
          batch
            .add(
              `${kind}/${obj.metadata?.namespace}/${obj.metadata?.name}`,
              item,
            )
            .catch(() => {});
        };
        informer.on('add', seen);
        informer.on('update', seen);
        return informer;
      });
    });
    try {
      await new Promise<void>((resolve, reject) => {
        if (options.signal.aborted) {
          resolve();
          return;
        }
        options.signal.addEventListener('abort', () => resolve(), {
          once: true,
        });
        for (const informer of informers) {
          informer.on('error', error => reject(describe(error, this.instance)));
          informer
            .start()
            .catch(error => reject(describe(error, this.instance)));
        }
      });
    } finally {
      await Promise.all(informers.map(i => i.stop().catch(() => {})));
      await batch.close();
    }
  }

  private async patch(
    kind: FluxKind,
    namespace: string,
    name: string,
    body: object,
  ) {
    const { group, version, plural } = FLUX_KINDS[kind];
    try {
      await this.api.patchNamespacedCustomObject(
        { group, version, namespace, plural, name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    } catch (error) {
      throw describe(error, this.instance);
    }
  }

  private requestReconcile() {
    return {
      metadata: {
        annotations: {
          'reconcile.fluxcd.io/requestedAt': new Date().toISOString(),
        },
      },
    };
  }

  /** Reconciles the source first, then the object itself. */
  async refresh(app: GitopsApplication): Promise<void> {
    const kind = app.kind as FluxKind;
    const { group, version, plural } = FLUX_KINDS[kind];
    let obj: FluxObject;
    try {
      obj = (await this.api.getNamespacedCustomObject({
        group,
        version,
        namespace: app.namespace,
        plural,
        name: app.name,
      })) as FluxObject;
    } catch (error) {
      throw describe(error, this.instance);
    }
    const ref =
      kind === 'Kustomization'
        ? obj.spec?.sourceRef
        : obj.spec?.chart?.spec?.sourceRef ?? obj.spec?.chartRef;
    if (ref?.kind && ref.name && ref.kind in FLUX_KINDS) {
      await this.patch(
        ref.kind as FluxKind,
        ref.namespace ?? app.namespace,
        ref.name,
        this.requestReconcile(),
      );
    }
    await this.patch(kind, app.namespace, app.name, this.requestReconcile());
  }

  async sync(app: GitopsApplication): Promise<void> {
    await this.refresh(app);
  }

  async suspend(app: GitopsApplication): Promise<void> {
    await this.patch(app.kind as FluxKind, app.namespace, app.name, {
      spec: { suspend: true },
    });
  }

  async resume(app: GitopsApplication): Promise<void> {
    await this.patch(app.kind as FluxKind, app.namespace, app.name, {
      spec: { suspend: false },
      ...this.requestReconcile(),
    });
  }
}
