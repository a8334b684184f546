import { startSandbox } from './server';

const num = (name: string) =>
  process.env[name] !== undefined ? Number(process.env[name]) : undefined;

startSandbox({
  port: num('SANDBOX_PORT') ?? 7008,
  extraApps: num('SANDBOX_EXTRA_APPS'),
  instances: num('SANDBOX_INSTANCES'),
  clusters: num('SANDBOX_CLUSTERS'),
  appsPerCluster: num('SANDBOX_APPS_PER_CLUSTER'),
  extraClusters: num('SANDBOX_EXTRA_CLUSTERS'),
  latencyMs: num('SANDBOX_LATENCY_MS'),
  failureRate: num('SANDBOX_FAILURE_RATE'),
  downInstances: process.env.SANDBOX_DOWN_INSTANCES?.split(',').filter(Boolean),
  commitEverySeconds: num('SANDBOX_COMMIT_EVERY_SECONDS'),
  syncSeconds: num('SANDBOX_SYNC_SECONDS'),
  autoMergeSeconds: num('SANDBOX_AUTOMERGE_SECONDS'),
  streamDropRate: num('SANDBOX_STREAM_DROP_RATE'),
  // eslint-disable-next-line no-console
  log: message => console.log(message),
  notify: process.env.SANDBOX_NOTIFY_URL
    ? {
        backendUrl: process.env.SANDBOX_NOTIFY_URL,
        fluxHmacKey: process.env.SANDBOX_FLUX_HMAC_KEY,
        argocdToken: process.env.SANDBOX_ARGOCD_TOKEN,
      }
    : undefined,
}).then(({ url, sandbox, stop }) => {
  // the sandbox's Git repositories are temporary: gone when it stops
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      stop().finally(() => process.exit(0));
    });
  // eslint-disable-next-line no-console
  console.log(
    `[sandbox] Argo CD API for instances ${sandbox
      .instances()
      .join(
        ', ',
      )} at ${url}/argocd/<instance>; push a commit: curl -XPOST ${url}/sandbox/push`,
  );
});
