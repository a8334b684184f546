// The real portal (`scripts/start.mjs`: sandbox fleet on :7008, backend on
// :7007, app on :3000) for the benches that run against it: started in its
// own process group, waited for, and stopped.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const APP = 'http://localhost:3000';
export const BACKEND = 'http://localhost:7007';
export const SANDBOX = 'http://localhost:7008';

export const sleep = ms => new Promise(r => setTimeout(r, ms));

/** Resolves once `url` answers 2xx; throws after `timeoutMs`. */
export async function waitUp(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(1000);
  }
  throw new Error(`${url} did not come up within ${timeoutMs / 1000} s`);
}

/** Resolves once nothing answers at `url` any more. */
export async function portDown(url) {
  for (let i = 0; i < 60; i++) {
    try {
      await fetch(url);
    } catch {
      return;
    }
    await sleep(1000);
  }
  throw new Error(`${url} still answers after the portal stopped`);
}

/** Starts `npm start`'s portal with extra environment (sandbox settings, config). */
export function startPortal(env = {}) {
  return spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    env: { ...process.env, BROWSER: 'none', ...env },
    stdio: ['ignore', 'ignore', 'ignore'],
    detached: true,
  });
}

/** Stops a portal started by `startPortal` and waits for its ports to close. */
export async function stopPortal(portal) {
  try {
    process.kill(-portal.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  await portDown(`${BACKEND}/api/gitops/health`).catch(() => {});
  await portDown(APP).catch(() => {});
}

/** A guest user's Backstage token (the demo's guest provider). */
export async function guestToken() {
  const res = await fetch(`${BACKEND}/api/auth/guest/refresh`);
  return (await res.json()).backstageIdentity.token;
}
