import {
  GitopsApplication,
  applicationId,
  toHealthStatus,
  toSyncStatus,
} from '@gitops-portal/plugin-gitops-common';
import { ArgoInstanceConfig } from '../../config';
import { NewDeployment } from '../../database/GitopsStore';
import {
  EnvironmentConfig,
  resolveEnvironment,
} from '../../service/environments';
import { deploymentKey } from '../../service/deploymentKey';
import { GitopsProvider, ProviderSnapshot } from '../types';
import { ArgoClient } from './ArgoClient';
import { ArgoApplication } from './types';

/** `revisions` of a multi-source result, else the single `revision`. */
function revisionsOf(value?: {
  revision?: string;
  revisions?: string[];
}): string[] {
  if (value?.revisions?.length) return value.revisions;
  return value?.revision ? [value.revision] : [];
}

function initiator(by?: { username?: string; automated?: boolean }) {
  if (by?.username) return by.username;
  return by?.automated ? 'automated' : undefined;
}

/**
 * Maps an Argo CD Application to the shared model and its history entries
 * (plus a failed last operation, which Argo CD keeps out of history) to
 * deployments.
 */
export function mapArgoApplication(
  item: ArgoApplication,
  options: {
    instance: ArgoInstanceConfig;
    environments: EnvironmentConfig;
    readAt: string;
  },
):
  | { application: GitopsApplication; deployments: NewDeployment[] }
  | undefined {
  const name = item.metadata?.name;
  const namespace = item.metadata?.namespace ?? 'argocd';
  if (!name) return undefined;
  const { instance } = options;
  const status = item.status ?? {};
  let specSources = item.spec?.sources ?? [];
  if (!specSources.length && item.spec?.source)
    specSources = [item.spec.source];
  const sources = specSources.map(s => ({
    repoUrl: s.repoURL ?? '',
    path: s.path || undefined,
    chart: s.chart || undefined,
    targetRevision: s.targetRevision || undefined,
  }));
  const history = [...(status.history ?? [])].sort((a, b) =>
    (a.deployedAt ?? '').localeCompare(b.deployedAt ?? ''),
  );
  const lastDeployed = history[history.length - 1];
  const op = status.operationState;
  const opRevisions = revisionsOf(op?.syncResult);
  // deployed: the last history entry, else a succeeded operation, else what sync compared
  let revisions = revisionsOf(status.sync);
  if (lastDeployed) revisions = revisionsOf(lastDeployed);
  else if (op?.phase === 'Succeeded' && opRevisions.length)
    revisions = opRevisions;
  const failed = op?.phase === 'Failed' || op?.phase === 'Error';
  const attempted =
    failed && opRevisions.length && opRevisions.join() !== revisions.join()
      ? opRevisions
      : undefined;
  const labels = item.metadata?.labels ?? {};
  const destination = {
    server: item.spec?.destination?.server,
    name: item.spec?.destination?.name,
    namespace: item.spec?.destination?.namespace,
  };
  const id = applicationId({
    engine: 'argocd',
    instance: instance.name,
    namespace,
    name,
  });
  const environment = resolveEnvironment(
    { instance: instance.name, namespace, labels, destination },
    options.environments,
  );
  const errorCondition = status.conditions?.find(c =>
    c.type?.endsWith('Error'),
  );
  const message =
    (failed ? op?.message : undefined) ??
    errorCondition?.message ??
    status.health?.message ??
    undefined;

  const application: GitopsApplication = {
    id,
    engine: 'argocd',
    instance: instance.name,
    namespace,
    name,
    kind: 'Application',
    project: item.spec?.project,
    destination,
    environment,
    sources,
    syncStatus: toSyncStatus(status.sync?.status),
    healthStatus: toHealthStatus(status.health?.status),
    operationPhase: op?.phase,
    message,
    revisions,
    attemptedRevisions: attempted,
    lastSyncedAt: lastDeployed?.deployedAt ?? op?.finishedAt,
    labels,
    controllerUrl: `${instance.uiUrl}/applications/${encodeURIComponent(
      namespace,
    )}/${encodeURIComponent(name)}`,
    applicationSet: item.metadata?.ownerReferences?.find(
      r => r.kind === 'ApplicationSet',
    )?.name,
    stale: false,
    lastReadAt: options.readAt,
  };

  const deployments: NewDeployment[] = history
    .filter(h => h.deployedAt)
    .map(h => ({
      applicationId: id,
      dedupeKey: deploymentKey(id, h.deployedAt!, revisionsOf(h)),
      environment,
      revisions: revisionsOf(h),
      startedAt: h.deployStartedAt,
      finishedAt: h.deployedAt!,
      result: 'Succeeded' as const,
      initiatedBy: initiator(h.initiatedBy),
      origin: 'controller-history' as const,
    }));
  if (failed && op?.finishedAt) {
    deployments.push({
      applicationId: id,
      dedupeKey: deploymentKey(id, op.finishedAt, opRevisions),
      environment,
      revisions: opRevisions,
      startedAt: op.startedAt,
      finishedAt: op.finishedAt,
      result: 'Failed',
      initiatedBy: initiator(op.operation?.initiatedBy),
      origin: 'controller-history',
      message: op.message,
    });
  }
  return { application, deployments };
}

/** Reads and acts on one Argo CD instance. */
export class ArgoProvider implements GitopsProvider {
  readonly engine = 'argocd' as const;
  readonly instance: string;
  private readonly client: ArgoClient;

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

  async read(options: { signal?: AbortSignal }): Promise<ProviderSnapshot> {
    const items = await this.client.listApplications(options.signal);
    const readAt = new Date().toISOString();
    const snapshot: ProviderSnapshot = { applications: [], deployments: [] };
    for (const item of items) {
      const mapped = mapArgoApplication(item, {
        instance: this.options.instance,
        environments: this.options.environments,
        readAt,
      });
      if (mapped) {
        snapshot.applications.push(mapped.application);
        snapshot.deployments.push(...mapped.deployments);
      }
    }
    return snapshot;
  }

  async refresh(app: GitopsApplication): Promise<void> {
    await this.client.refreshApplication(app);
  }

  async sync(app: GitopsApplication): Promise<void> {
    await this.client.syncApplication(app);
  }
}
