import techInsightsPlugin from '@backstage-community/plugin-tech-insights-backend';
import jsonRulesModule from '@backstage-community/plugin-tech-insights-backend-module-jsonfc';
import {
  CHECKOUT_COMPONENT_YAML,
  until,
  startSandboxPortal,
} from '@gitops-portal/gitops-test-utils';
import gitopsPlugin from '@gitops-portal/plugin-gitops-backend';
import request from 'supertest';
import { techInsightsModuleGitopsFactRetriever } from './module';

jest.setTimeout(180_000);

describe('Tech Insights module with the tech-insights, jsonfc, catalog and GitOps backends', () => {
  it("stores each entity's facts as the sandbox deployed, and the documented checks grade them", async () => {
    const portal = await startSandboxPortal({
      features: [
        gitopsPlugin,
        techInsightsPlugin,
        jsonRulesModule,
        techInsightsModuleGitopsFactRetriever,
      ],
      catalogYaml: CHECKOUT_COMPONENT_YAML,
      controllers: { argocd: ['main', 'prod'] },
      // an open pull request's preview of checkout: not one of its applications
      prepare: sandbox =>
        sandbox.pullRequests.openPullRequest({
          number: 7,
          title: 'Try the new basket',
          author: 'dana',
        }),
      config: {
        techInsights: {
          factRetrievers: {
            gitopsFactRetriever: {
              cadence: '*/2 * * * * *',
              lifecycle: { maxItems: 5 },
            },
          },
          // the README's example checks
          factChecker: {
            checks: {
              gitopsDeployedToProductionRecently: {
                type: 'json-rules-engine',
                name: 'Deployed to production in the last 14 days',
                description: 'A succeeded production deployment in 14 days',
                factIds: ['gitopsFactRetriever'],
                rule: {
                  conditions: {
                    all: [
                      {
                        fact: 'daysSinceProductionDeployment',
                        operator: 'lessThanInclusive',
                        value: 14,
                      },
                    ],
                  },
                },
              },
              gitopsNotOutOfSyncForLong: {
                type: 'json-rules-engine',
                name: 'Not out of sync for more than 4 hours',
                description: 'No application out of sync for over 4 hours',
                factIds: ['gitopsFactRetriever'],
                rule: {
                  conditions: {
                    all: [
                      {
                        fact: 'hoursOutOfSync',
                        operator: 'lessThanInclusive',
                        value: 4,
                      },
                    ],
                  },
                },
              },
            },
          },
        },
      },
      gitops: {
        pollIntervalSeconds: 1,
        watch: false,
        visibility: { refreshIntervalSeconds: 1 },
        metrics: { snapshotMaxAgeSeconds: 0 },
        environments: {
          order: ['dev', 'staging', 'prod'],
          rules: [{ instance: 'prod', environment: 'prod' }],
        },
      },
    });
    const { sandbox: sb, server } = portal;
    const api = request(server);
    const latestFacts = async () => {
      const res = await api.get(
        '/api/tech-insights/facts/latest?entity=component:default/checkout&ids[]=gitopsFactRetriever',
      );
      if (res.status !== 200)
        throw new Error(`facts: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.gitopsFactRetriever as
        | { timestamp: string; facts: Record<string, any> }
        | undefined;
    };
    try {
      // a promotion to prod, made by the sandbox: its ground truth says when
      // the deployment finished
      const promoted = await until(
        async () => sb.sandbox.promote('checkout-prod'),
        'checkout-prod to take a promotion',
      );
      const deployed = await until(async () => {
        const truth = sb.sandbox
          .groundTruth()
          .filter(
            d =>
              d.name === 'checkout-prod' &&
              d.result === 'Succeeded' &&
              d.revision === promoted.revision,
          );
        return truth.length ? truth[truth.length - 1] : undefined;
      }, 'the promotion deployed in the sandbox');
      const stored = await until(
        async () => {
          const latest = await latestFacts();
          const at = latest?.facts.lastProductionDeploymentAt;
          return at &&
            Math.floor(Date.parse(at) / 1000) ===
              Math.floor(Date.parse(deployed.finishedAt) / 1000)
            ? latest
            : undefined;
        },
        'the fact of the last production deployment',
        120_000,
      );
      expect(stored.facts).toMatchObject({
        productionEnvironment: 'prod',
        daysSinceProductionDeployment: 0,
      });
      expect(stored.facts.deploymentsLast30Days).toBeGreaterThanOrEqual(1);
      // as many applications as the sandbox runs for checkout (every instance)
      expect(stored.facts.applications).toBe(
        sb.sandbox.names().filter(n => /^checkout-(dev|staging|prod)$/.test(n))
          .length,
      );
      // what the gitops API says now, for the same entity
      const gitops = (
        await api.get(
          '/api/gitops/entities/component/default/checkout/deployments',
        )
      ).body;
      const apps = gitops.environments.flatMap((e: any) => e.applications);
      expect(stored.facts.applications).toBe(apps.length);
      expect(
        gitops.previews.map((a: any) => a.preview.pullRequest.number),
      ).toEqual([7]);

      // the example checks, run by the jsonfc checker on the stored facts
      const run = await api
        .post('/api/tech-insights/checks/run/default/component/checkout')
        .send({
          checks: [
            'gitopsDeployedToProductionRecently',
            'gitopsNotOutOfSyncForLong',
          ],
        });
      expect(run.status).toBe(200);
      const results = Object.fromEntries(
        (run.body as any[]).map(r => [r.check.id, r.result]),
      );
      expect(results).toEqual({
        gitopsDeployedToProductionRecently: true,
        gitopsNotOutOfSyncForLong: true,
      });
    } finally {
      await sb.stop();
    }
  });
});
