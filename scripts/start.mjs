// `npm start`: the sandbox fleet (a local stand-in for Argo CD) on :7008,
// then the portal: backend on :7007 and app on :3000.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const children = [];

function run(cmd, args, options = {}) {
  const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  children.push(child);
  child.on('exit', code => {
    if (code !== 0 && code !== null) {
      console.error(`[gitops] ${cmd} ${args.join(' ')} exited with ${code}`);
    }
    shutdown(code ?? 0);
  });
  return child;
}

function shutdown(code) {
  for (const child of children) {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
  process.exitCode = code;
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));

if (process.env.GITOPS_SANDBOX !== 'off') {
  // the sandbox also notifies the backend as Flux and Argo CD would
  // (demo keys, the same as gitops.webhooks in app-config.yaml)
  const notify = {
    SANDBOX_NOTIFY_URL: 'http://localhost:7007/api/gitops',
    SANDBOX_FLUX_HMAC_KEY: 'sandbox-flux-hmac-key',
    SANDBOX_ARGOCD_TOKEN: 'sandbox-argocd-webhook-token',
  };
  for (const [k, v] of Object.entries(notify)) process.env[k] ??= v;
  run(process.execPath, [
    '--require',
    '@backstage/cli/config/nodeTransform.cjs',
    'packages/gitops-sandbox/src/main.ts',
  ]);
}
run(join(root, 'node_modules/.bin/backstage-cli'), [
  'repo',
  'start',
  ...process.argv.slice(2),
]);
