// The GitOps backend alone, for working on it: `npm start` in this folder
// (backstage-cli package start) runs it on :7007 with the catalog backend
// and the repository's app-config.yaml (plus dev/app-config.yaml:
// permissions off), reading the sandbox fleet, which it starts on :7008
// (GITOPS_SANDBOX=off: bring your own controllers). Every request is taken
// as user:default/guest, no sign-in: for curl and the frontend plugin's dev
// app (plugins/gitops/dev).
import { createBackend } from '@backstage/backend-defaults';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { startSandbox } from '@gitops-portal/gitops-sandbox';

async function main() {
  if (process.env.GITOPS_SANDBOX !== 'off') {
    const sandbox = await startSandbox({ port: 7008 });
    // its Git repositories are temporary: removed when it stops
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => {
        sandbox.stop().finally(() => process.exit(0));
      });
  }
  const backend = createBackend();
  backend.add(mockServices.auth.factory());
  backend.add(
    mockServices.httpAuth.factory({
      defaultCredentials: mockCredentials.user('user:default/guest'),
    }),
  );
  backend.add(import('@backstage/plugin-catalog-backend'));
  backend.add(import('../src'));
  await backend.start();
}

main().catch(error => {
  // eslint-disable-next-line no-console
  console.error(error);
  process.exit(1);
});
