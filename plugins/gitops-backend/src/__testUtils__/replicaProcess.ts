/*
 * One backend replica in its own process, for tests that kill it hard
 * (SIGKILL: no shutdown hooks, its scheduler lock and connections left as
 * they were). The real backend wiring (`createBackend`) with the gitops
 * plugin, config from REPLICA_CONFIG (JSON) and an empty catalog. Run with
 * `node --require @backstage/cli/config/nodeTransform.cjs`.
 */
import { createBackend } from '@backstage/backend-defaults';
import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { gitopsPlugin } from '../plugin';

const backend = createBackend();
backend.add(
  mockServices.rootConfig.factory({
    data: JSON.parse(process.env.REPLICA_CONFIG ?? '{}'),
  }),
);
backend.add(catalogServiceMock.factory({ entities: [] }));
backend.add(gitopsPlugin);
backend.start().then(
  () => process.stdout.write('REPLICA STARTED\n'),
  error => {
    process.stderr.write(`REPLICA FAILED: ${error}\n`);
    process.exit(1);
  },
);
