import { parseEntityRef } from '@backstage/catalog-model';
import {
  FactRetriever,
  TechInsightFact,
} from '@backstage-community/plugin-tech-insights-node';
import {
  GitopsApi,
  GitopsApplication,
} from '@gitops-portal/plugin-gitops-common';
import { createGitopsServiceClient } from '@gitops-portal/plugin-gitops-node';
import { DateTime } from 'luxon';

/** The id under which Tech Insights stores and configures these facts. */
export const GITOPS_FACT_RETRIEVER_ID = 'gitopsFactRetriever';

const DAY_MS = 24 * 3600 * 1000;
/** Entities read at once (two API calls each). */
const CONCURRENCY = 4;

/**
 * The facts of one entity, from what the GitOps backend stores: its
 * applications, the history of its production environment (the last of the
 * promotion order) and its delivery performance over 30 days.
 */
export async function entityFacts(
  client: Pick<GitopsApi, 'getDeliveryMetrics' | 'getEntityHistory'>,
  entityRef: string,
  apps: GitopsApplication[],
  now: number,
): Promise<TechInsightFact> {
  const entity = parseEntityRef(entityRef);
  const metrics = await client.getDeliveryMetrics({ entity }, { window: 30 });
  const production = metrics.environment;
  const history = await client.getEntityHistory(entity, {
    environment: [production],
    limit: 100,
  });
  const lastSucceeded = history.items.find(d => d.result === 'Succeeded');
  const outOfSince = apps
    .filter(a => a.syncStatus === 'OutOfSync')
    .map(a => (a.outOfSyncSince ? Date.parse(a.outOfSyncSince) : now));
  const facts: TechInsightFact['facts'] = {
    productionEnvironment: production,
    applications: apps.length,
    outOfSyncApplications: outOfSince.length,
    hoursOutOfSync: outOfSince.length
      ? Math.round(((now - Math.min(...outOfSince)) / 3600_000) * 100) / 100
      : 0,
    deploymentsLast30Days: metrics.current.deployments,
  };
  const bands = metrics.current.bands;
  if (bands.deploymentFrequency)
    facts.deploymentFrequencyBand = bands.deploymentFrequency;
  if (bands.leadTime) facts.leadTimeBand = bands.leadTime;
  if (bands.changeFailRate) facts.changeFailRateBand = bands.changeFailRate;
  if (bands.recoveryTime) facts.recoveryTimeBand = bands.recoveryTime;
  if (lastSucceeded) {
    const at = Date.parse(lastSucceeded.finishedAt);
    facts.lastProductionDeploymentAt = DateTime.fromMillis(at, {
      zone: 'utc',
    });
    facts.daysSinceProductionDeployment = Math.floor((now - at) / DAY_MS);
    const committed = lastSucceeded.commit?.committedAt;
    if (committed)
      facts.productionRevisionAgeDays = Math.floor(
        (now - Date.parse(committed)) / DAY_MS,
      );
  }
  return {
    entity: {
      namespace: entity.namespace,
      kind: entity.kind,
      name: entity.name,
    },
    facts,
  };
}

/**
 * Tech Insights facts of every catalog entity that claims GitOps
 * applications, read from the GitOps backend's API with a service token:
 *
 * - `productionEnvironment`: the last environment of the promotion order;
 * - `lastProductionDeploymentAt`, `daysSinceProductionDeployment`: the last
 *   succeeded deployment there (absent when there was none in its history);
 * - `productionRevisionAgeDays`: how old the commit it runs is (absent when
 *   Git is not read);
 * - `deploymentsLast30Days` and the DORA bands over 30 days:
 *   `deploymentFrequencyBand`, `leadTimeBand`, `changeFailRateBand`,
 *   `recoveryTimeBand` (elite, high, medium, low; absent when not measurable);
 * - `applications`, `outOfSyncApplications`, `hoursOutOfSync` (pull-request
 *   previews left out): how long the
 *   longest-out-of-sync application has been so (0 when all are synced).
 *
 * Registered by the module; runs at `techInsights.factRetrievers.gitopsFactRetriever.cadence`.
 *
 * @public
 */
export const gitopsFactRetriever: FactRetriever = {
  id: GITOPS_FACT_RETRIEVER_ID,
  version: '0.1.0',
  title: 'GitOps',
  description:
    'Production deployments, delivery performance (DORA) bands, time out of sync and age of the running revision, from the GitOps backend',
  entityFilter: [{ kind: ['component', 'system', 'resource'] }],
  schema: {
    productionEnvironment: {
      type: 'string',
      description: 'The last environment of the promotion order',
    },
    lastProductionDeploymentAt: {
      type: 'datetime',
      description: 'When the last succeeded deployment to production finished',
    },
    daysSinceProductionDeployment: {
      type: 'integer',
      description:
        'Whole days since the last succeeded deployment to production',
    },
    productionRevisionAgeDays: {
      type: 'integer',
      description: 'Whole days since the commit production runs was made',
    },
    deploymentsLast30Days: {
      type: 'integer',
      description: 'Deployments to production in the last 30 days',
    },
    deploymentFrequencyBand: {
      type: 'string',
      description:
        'DORA band of deployment frequency (elite, high, medium, low)',
    },
    leadTimeBand: {
      type: 'string',
      description: 'DORA band of lead time for changes',
    },
    changeFailRateBand: {
      type: 'string',
      description: 'DORA band of change failure rate',
    },
    recoveryTimeBand: {
      type: 'string',
      description: 'DORA band of failed deployment recovery time',
    },
    applications: {
      type: 'integer',
      description: 'GitOps applications the entity claims',
    },
    outOfSyncApplications: {
      type: 'integer',
      description: 'Of those, how many are out of sync now',
    },
    hoursOutOfSync: {
      type: 'float',
      description:
        'Hours the longest-out-of-sync application has been out of sync (0: all synced)',
    },
  },
  async handler(ctx) {
    const client = createGitopsServiceClient(ctx);
    const byEntity = new Map<string, GitopsApplication[]>();
    let cursor: string | undefined;
    do {
      const page = await client.getFleet({ limit: 1000, cursor });
      for (const app of page.items) {
        // pull-request previews come and go: not the service's applications
        if (!app.entityRef || app.preview) continue;
        byEntity.set(app.entityRef, [
          ...(byEntity.get(app.entityRef) ?? []),
          app,
        ]);
      }
      cursor = page.nextCursor;
    } while (cursor);
    const now = Date.now();
    const refs = [...byEntity.keys()];
    const facts: TechInsightFact[] = [];
    for (let i = 0; i < refs.length; i += CONCURRENCY) {
      const chunk = refs.slice(i, i + CONCURRENCY);
      const settled = await Promise.allSettled(
        chunk.map(ref => entityFacts(client, ref, byEntity.get(ref)!, now)),
      );
      settled.forEach((s, j) => {
        if (s.status === 'fulfilled') facts.push(s.value);
        else
          ctx.logger.warn(
            `GitOps facts of ${chunk[j]} not read: ${
              (s.reason as Error).message
            }`,
          );
      });
    }
    return facts;
  },
};
