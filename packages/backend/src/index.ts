import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// auth: guest sign-in for the demo portal
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

// catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);

// permissions: allow-all by default; `permission.demoPolicy: owners-only`
// tries the GitOps checks under a policy as a portal writes one
backend.add(import('@backstage/plugin-permission-backend'));
backend.add(import('./permissionPolicy'));

// scaffolder, with the GitOps actions (gitops:render, gitops:propose, gitops:publish:git)
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@gitops-portal/plugin-scaffolder-backend-module-gitops'));

// signals (live pages) and notifications (owners told of failed deployments)
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-notifications-backend'));

// GitOps, and its catalog module (applications as Resource entities)
backend.add(import('@gitops-portal/plugin-gitops-backend'));
backend.add(import('@gitops-portal/plugin-catalog-backend-module-gitops'));

// search (Lunr in memory), with GitOps applications in it
backend.add(import('@backstage/plugin-search-backend'));
backend.add(import('@gitops-portal/plugin-search-backend-module-gitops'));

// Tech Insights (scorecards): GitOps facts per entity, graded by the
// example checks of app-config.yaml
backend.add(import('@backstage-community/plugin-tech-insights-backend'));
backend.add(
  import('@backstage-community/plugin-tech-insights-backend-module-jsonfc'),
);
backend.add(
  import('@gitops-portal/plugin-tech-insights-backend-module-gitops'),
);

backend.start();
