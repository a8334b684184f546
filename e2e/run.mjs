// End-to-end check in real Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): starts the portal unless GITOPS_E2E_URL points at one,
// signs in as guest, opens a service's Deployments tab and the fleet page with
// live data from the sandbox fleet,
// and saves screenshots under test-results/e2e-screenshots/ (the README's,
// e2e/screenshots/, with UPDATE_SCREENSHOTS=1). Prints `N passed, N failed`.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../scripts/chromium.mjs';
import { appUrl, backendUrl, root, shots, waitFor } from './lib.mjs';
import { tabChecks } from './checks/tab.mjs';
import { changeChecks } from './checks/changes.mjs';
import { whatRunsChecks } from './checks/whatRuns.mjs';
import { portalChecks } from './checks/portal.mjs';

let portal;
if (!process.env.GITOPS_E2E_URL) {
  // `npm start` without the install check: sandbox fleet + backend + app
  portal = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    env: { ...process.env, BROWSER: 'none' },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
}

const results = [];
const only = process.env.GITOPS_E2E_ONLY; // while developing: one check (after sign-in)
async function check(name, fn) {
  if (only && !name.includes(only) && !name.startsWith('signs in')) return;
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`  ✕ ${name}: ${error.message}`);
    // what the browser showed when it failed
    await page
      ?.screenshot({
        path: join(shots, `failed-${results.length}.png`),
        fullPage: true,
      })
      .catch(() => {});
  }
}

let browser;
let page;
const consoleProblems = [];
const signalsHeard = [];
try {
  await waitFor(`${backendUrl}/api/gitops/health`, 240_000);
  await waitFor(appUrl, 240_000);
  browser = await chromium.launch(chromiumLaunchOptions);
  page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
  });
  // what our components print: warnings and errors, with where they come from
  page.on('console', msg => {
    if (msg.type() !== 'warning' && msg.type() !== 'error') return;
    const text = msg.text();
    const where = msg.location()?.url ?? '';
    if (
      /plugins\/gitops\/|plugin-gitops|ProposalLine|EnvironmentCard|FleetPage|DeploymentHistory/.test(
        `${where} ${text}`,
      ) ||
      /material table are static|AlertApi is deprecated/.test(text)
    )
      consoleProblems.push(`${msg.type()}: ${text.slice(0, 300)}`);
  });
  // the live updates the open page hears (signals over a WebSocket)
  page.on('websocket', ws => {
    if (!ws.url().includes('/api/signals')) return;
    ws.on('framereceived', frame => {
      try {
        const { channel } = JSON.parse(String(frame.payload));
        if (channel) signalsHeard.push({ channel, at: Date.now() });
      } catch {
        // not a signal
      }
    });
  });
  page.setDefaultTimeout(60_000);

  await check('signs in as guest', async () => {
    await page.goto(appUrl);
    // the first load waits for the dev bundle to compile
    await page
      .getByRole('button', { name: 'Enter' })
      .click({ timeout: 180_000 });
    await page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'GitOps' })
      .waitFor({ timeout: 120_000 });
  });

  await tabChecks({ page, check, signalsHeard });
  await changeChecks({ page, check });
  await whatRunsChecks({ page, check });
  await portalChecks({ page, check, consoleProblems });
} catch (error) {
  console.log(`  ✕ e2e setup: ${error.message}`);
  results.push({ name: 'setup', ok: false });
} finally {
  await browser?.close();
  if (portal) {
    try {
      process.kill(-portal.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

const passed = results.filter(r => r.ok).length;
const failed = results.length - passed;
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
