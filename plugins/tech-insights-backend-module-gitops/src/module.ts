import { createBackendModule } from '@backstage/backend-plugin-api';
import { techInsightsFactRetrieversExtensionPoint } from '@backstage-community/plugin-tech-insights-node';
import {
  GITOPS_FACT_RETRIEVER_ID,
  gitopsFactRetriever,
} from './gitopsFactRetriever';

/**
 * Tech Insights module: the GitOps fact retriever. It runs when
 * `techInsights.factRetrievers.gitopsFactRetriever.cadence` is configured,
 * as Tech Insights' own retrievers do.
 *
 * @public
 */
export const techInsightsModuleGitopsFactRetriever = createBackendModule({
  pluginId: 'tech-insights',
  moduleId: 'gitops-fact-retriever',
  register(env) {
    env.registerInit({
      deps: { retrievers: techInsightsFactRetrieversExtensionPoint },
      async init({ retrievers }) {
        retrievers.addFactRetrievers({
          [GITOPS_FACT_RETRIEVER_ID]: gitopsFactRetriever,
        });
      },
    });
  },
});
