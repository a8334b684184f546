import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import searchPlugin from '@backstage/plugin-search/alpha';
import signalsPlugin from '@backstage/plugin-signals/alpha';
import gitopsPlugin from '@gitops-portal/plugin-gitops/alpha';
import { navModule } from './modules/nav';

export default createApp({
  features: [
    catalogPlugin,
    scaffolderPlugin,
    // search, where GitOps applications are found (the search module)
    searchPlugin,
    // live pages (signals) and owners told of failed deployments (notifications)
    signalsPlugin,
    notificationsPlugin,
    gitopsPlugin,
    navModule,
  ],
});
