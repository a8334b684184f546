// The frontend plugin alone, for working on it: `npm start` in this folder
// (backstage-cli package start) serves a dev app on :3000 with the fleet
// page and the Deployments tab and card of the demo's `checkout` service,
// reading the GitOps backend at backend.baseUrl (:7007). Start the backend
// first: `npm start` in plugins/gitops-backend (its dev harness, with the
// sandbox fleet and no sign-in: at the guest sign-in, accept the legacy
// guest token), or the whole portal's `npm start`.
import { Entity } from '@backstage/catalog-model';
import { createDevApp } from '@backstage/dev-utils';
import { CatalogEntityPage, catalogPlugin } from '@backstage/plugin-catalog';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import {
  EntityGitOpsCard,
  EntityGitOpsContent,
  GitOpsPage,
  gitopsPlugin,
} from '../src';

// as in examples/entities.yaml: the backend reads the catalog's copy
const checkout: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'checkout',
    namespace: 'default',
    annotations: {
      'argocd/app-selector': 'app.kubernetes.io/name=checkout',
      'backstage.io/kubernetes-id': 'checkout',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-checkout' },
};

createDevApp()
  .registerPlugin(gitopsPlugin)
  // entity links (fleet page, history) lead to the catalog's entity pages
  .registerPlugin(catalogPlugin)
  .addPage({
    path: '/catalog/:namespace/:kind/:name',
    element: <CatalogEntityPage />,
  })
  .addPage({
    path: '/gitops',
    title: 'GitOps fleet',
    element: <GitOpsPage />,
  })
  .addPage({
    path: '/checkout',
    title: 'checkout',
    element: (
      <EntityProvider entity={checkout}>
        <Grid container spacing={3}>
          <Grid item md={6}>
            <EntityGitOpsCard />
          </Grid>
          <Grid item xs={12}>
            <EntityGitOpsContent />
          </Grid>
        </Grid>
      </EntityProvider>
    ),
  })
  .render();
