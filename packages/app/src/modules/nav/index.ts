import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SidebarContent } from './Sidebar';
import { HomeRedirect } from './HomeRedirect';

export const navModule = createFrontendModule({
  pluginId: 'app',
  extensions: [SidebarContent, HomeRedirect],
});
