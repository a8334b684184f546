import { createHash } from 'node:crypto';
import {
  ApplicationRollout,
  ApplicationSetStatus,
  GitopsApplication,
} from '@gitops-portal/plugin-gitops-common';
import { ArgoInstanceConfig } from '../../config';
import { EnvironmentConfig } from '../../model/environments';
import { GitopsProvider, ProviderSnapshot } from '../../model/provider';
import { batchChanges } from '../batchChanges';
import { ArgoClient } from './ArgoClient';
import { healthInTree, mapArgoApplication } from './mapArgo';
import { mapApplicationSet } from './applicationSets';
import { ArgoApplication, ArgoApplicationTree } from './types';
import { isRollout, rolloutStatus } from './rollouts';
import { HydratedCommits } from './hydration';

/** Resource trees read per instance and read, for unhealthy 3.x-style apps. */
const TREES_PER_READ = 100;
/** Rollout objects read per instance and read, for apps rolling out. */
const ROLLOUTS_PER_READ = 100;

/** Runs `fn` over `items`, four at a time. */
async function fourAtATime<T>(items: T[], fn: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += 4) {
    await Promise.all(items.slice(i, i + 4).map(fn));
  }
}

function appKeyOf(app: ArgoApplication): string {
  return `${app.metadata?.namespace}/${app.metadata?.name}`;
}

/**
 * An application's state, without what Argo CD rewrites at every
 * reconciliation (its reconciledAt, its resourceVersion): those alone
 * change nothing.
 */
function fingerprintOf(app: ArgoApplication): string {
  const { metadata, status } = app;
  return createHash('sha1')
    .update(
      JSON.stringify({
        ...app,
        metadata: {
          ...metadata,
          resourceVersion: undefined,
          managedFields: undefined,
        },
        status: { ...status, reconciledAt: undefined },
      }),
    )
    .digest('base64');
}

/** Reads and acts on one Argo CD instance. */
export class ArgoProvider implements GitopsProvider {
  readonly engine = 'argocd' as const;
  readonly instance: string;
  private readonly client: ArgoClient;
  private readonly hydratedCommits = new HydratedCommits();

  constructor(
    private readonly options: {
      instance: ArgoInstanceConfig;
      environments: EnvironmentConfig;
      client?: ArgoClient;
    },
  ) {
    this.instance = options.instance.name;
    this.client = options.client ?? new ArgoClient(options.instance);
  }

  /** Each application's fingerprint as the last full read found it. */
  private fingerprints = new Map<string, string>();

  async read(options: { signal?: AbortSignal }): Promise<ProviderSnapshot> {
    const items = await this.client.listApplications(options.signal);
    this.fingerprints = new Map(
      items.map(item => [appKeyOf(item), fingerprintOf(item)]),
    );
    const readAt = new Date().toISOString();
    const snapshot: ProviderSnapshot = { applications: [], deployments: [] };
    const trees = await this.treesOf(items, options.signal);
    const rollouts = await this.rolloutsOf(items, options.signal);
    snapshot.applicationSets = await this.applicationSetsOf(
      readAt,
      options.signal,
    );
    for (const item of items) {
      const mapped = mapArgoApplication(item, {
        instance: this.options.instance,
        environments: this.options.environments,
        readAt,
        tree: trees.get(item),
        rollouts: rollouts.get(item),
        hydratedCommits: this.hydratedCommits,
      });
      if (mapped) {
        snapshot.applications.push(mapped.application);
        snapshot.deployments.push(...mapped.deployments);
      }
    }
    return snapshot;
  }

  /**
   * Resource trees of the 3.x-style apps that are not healthy: only there
   * does Argo CD say which resource is degraded. A few at a time, at most
   * `TREES_PER_READ` per read; a tree that cannot be read leaves its app
   * without resource health, not the read failed.
   */
  private async treesOf(
    items: ArgoApplication[],
    signal?: AbortSignal,
  ): Promise<Map<ArgoApplication, ArgoApplicationTree>> {
    const wanted = items
      .filter(
        i =>
          healthInTree(i) &&
          i.metadata?.name &&
          i.status?.health?.status &&
          i.status.health.status !== 'Healthy',
      )
      .slice(0, TREES_PER_READ);
    const trees = new Map<ArgoApplication, ArgoApplicationTree>();
    await fourAtATime(wanted, async item => {
      try {
        trees.set(
          item,
          await this.client.getResourceTree(
            {
              name: item.metadata!.name!,
              namespace: item.metadata?.namespace ?? 'argocd',
            },
            signal,
          ),
        );
      } catch {
        // health of this app's resources stays unknown this cycle
      }
    });
    return trees;
  }

  /**
   * The instance's ApplicationSets; undefined when they cannot be read (an
   * account without `applicationsets, get`, an older Argo CD): the
   * applications are read all the same.
   */
  private async applicationSetsOf(
    readAt: string,
    signal?: AbortSignal,
  ): Promise<ApplicationSetStatus[] | undefined> {
    try {
      const sets = await this.client.listApplicationSets(signal);
      return sets.flatMap(
        s => mapApplicationSet(s, { instance: this.instance, readAt }) ?? [],
      );
    } catch {
      return undefined;
    }
  }

  /**
   * Strategy and progress of the Argo Rollouts of apps that are not healthy
   * (a canary under way leaves its app Progressing or Suspended): each
   * Rollout's live object through Argo CD's resource endpoint, at most
   * `ROLLOUTS_PER_READ` per read. A healthy app's rollout has nothing under
   * way to show; one that cannot be read is left out, not the read failed.
   */
  private async rolloutsOf(
    items: ArgoApplication[],
    signal?: AbortSignal,
  ): Promise<Map<ArgoApplication, ApplicationRollout[]>> {
    const wanted = items
      .filter(
        i =>
          i.metadata?.name &&
          i.status?.health?.status &&
          i.status.health.status !== 'Healthy',
      )
      .flatMap(item =>
        (item.status?.resources ?? [])
          .filter(r => isRollout(r) && r.name)
          .map(resource => ({ item, resource })),
      )
      .slice(0, ROLLOUTS_PER_READ);
    const found = new Map<ArgoApplication, ApplicationRollout[]>();
    await fourAtATime(wanted, async ({ item, resource }) => {
      try {
        const live = await this.client.getLiveResource(
          {
            name: item.metadata!.name!,
            namespace: item.metadata?.namespace ?? 'argocd',
          },
          {
            group: resource.group,
            version: resource.version,
            kind: resource.kind!,
            namespace: resource.namespace,
            name: resource.name!,
          },
          signal,
        );
        const rollout = rolloutStatus(live);
        if (rollout) found.set(item, [...(found.get(item) ?? []), rollout]);
      } catch {
        // this rollout's progress stays unknown this cycle
      }
    });
    // read concurrently: the same order every read, so the app is unchanged
    for (const list of found.values())
      list.sort((x, y) => x.name.localeCompare(y.name));
    return found;
  }

  /**
   * Follows Argo CD's application stream. Changes are handed on in batches
   * (every 200 ms, or 500 applications) so a burst — the ADDED event per
   * application a stream starts with — is written a batch at a time.
   * Resource trees and Rollouts are read by full reads only.
   */
  async watch(options: {
    signal: AbortSignal;
    onChange: (changed: ProviderSnapshot) => Promise<void>;
  }): Promise<void> {
    const batch = batchChanges<ArgoApplication>({
      // what the last full read found: the ADDED event per application a
      // stream starts with is dropped for those unchanged since (at 1,000
      // clusters, 100,000 applications queued at once otherwise)
      seen: this.fingerprints,
      onChange: options.onChange,
      map: items => {
        const readAt = new Date().toISOString();
        const changed: ProviderSnapshot = { applications: [], deployments: [] };
        for (const item of items) {
          const mapped = mapArgoApplication(item, {
            instance: this.options.instance,
            environments: this.options.environments,
            readAt,
            hydratedCommits: this.hydratedCommits,
          });
          if (mapped) {
            changed.applications.push(mapped.application);
            changed.deployments.push(...mapped.deployments);
          }
        }
        return changed;
      },
    });
    try {
      await this.client.watchApplications({
        signal: options.signal,
        onEvent: async event => {
          // a deleted application goes at the next full read
          if (event.type === 'DELETED') return;
          await batch.add(
            appKeyOf(event.application),
            event.application,
            fingerprintOf(event.application),
          );
        },
      });
    } finally {
      await batch.close();
    }
  }

  async refresh(app: GitopsApplication): Promise<void> {
    await this.client.refreshApplication(app);
  }

  async sync(app: GitopsApplication): Promise<void> {
    await this.client.syncApplication(app);
  }
}
