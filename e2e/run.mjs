// End-to-end check in real Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): starts the portal unless GITOPS_E2E_URL points at one,
// signs in as guest, opens a service's Deployments tab and the fleet page with
// live data from the sandbox fleet,
// and saves screenshots under e2e/screenshots/. Prints `N passed, N failed`.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shots = join(root, 'e2e', 'screenshots');
mkdirSync(shots, { recursive: true });
const appUrl = process.env.GITOPS_E2E_URL ?? 'http://localhost:3000';
const backendUrl = process.env.GITOPS_E2E_BACKEND ?? 'http://localhost:7007';
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

async function waitFor(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${url} did not come up within ${timeoutMs / 1000} s`);
}

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
async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`  ✕ ${name}: ${error.message}`);
  }
}

let browser;
try {
  await waitFor(`${backendUrl}/api/gitops/health`, 240_000);
  await waitFor(appUrl, 240_000);
  browser = await chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = await browser.newPage({
    viewport: { width: 1400, height: 1000 },
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

  await check('opens the Deployments tab of a service', async () => {
    await page.goto(`${appUrl}/catalog/default/component/checkout`);
    await page.getByRole('link', { name: 'Deployments', exact: true }).click();
    await page.waitForURL(/\/deployments$/);
    // live data ingested from the sandbox fleet: every environment, then history
    for (const env of ['dev', 'staging', 'prod']) {
      await page.getByRole('region', { name: `environment ${env}` }).waitFor();
    }
    await page.getByRole('link', { name: /^checkout-prod/ }).waitFor();
    await page.getByText('Deployment history').waitFor();
    await page.getByRole('cell', { name: 'Succeeded' }).first().waitFor();
    await page.screenshot({
      path: join(shots, 'deployments-tab.png'),
      fullPage: true,
    });
  });

  await check('opens the Deployments tab of an application Resource from the catalog module', async () => {
    await page.goto(`${appUrl}/catalog/default/resource/argocd-main-argocd-checkout-dev`);
    // status tags on the entity, put there by the catalog module
    await page.getByText('health-healthy').or(page.getByText('health-progressing')).first().waitFor({ timeout: 90_000 });
    await page.getByRole('link', { name: 'Deployments', exact: true }).click();
    await page.getByRole('region', { name: 'environment dev' }).waitFor();
    await page.screenshot({ path: join(shots, 'resource-deployments.png'), fullPage: true });
  });

  await check('opens the fleet page', async () => {
    await page.goto(`${appUrl}/gitops`);
    await page.getByText('GitOps fleet').waitFor();
    await page.getByText(/Applications \([1-9]\d*\)/).waitFor();
    await page.getByRole('link', { name: /^cert-manager/ }).waitFor();
    await page.screenshot({
      path: join(shots, 'fleet-page.png'),
      fullPage: true,
    });
  });
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
