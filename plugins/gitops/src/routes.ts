import { createRouteRef } from '@backstage/core-plugin-api';

/** @public */
export const rootRouteRef = createRouteRef({ id: 'gitops' });
