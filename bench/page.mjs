// Benchmark: how soon an open Deployments tab shows a deployment, in real
// Chromium on the real portal (`npm start`: sandbox fleet, backend, app).
// A commit lands on one of checkout's applications in the sandbox (Argo CD
// there syncs it); the sample is the time from the moment the controller
// finished the deployment (the sandbox's own record, /sandbox/ground-truth)
// until the open tab shows "Deployed: <commit>" in that environment, without
// a reload. Measured with signals (the portal's signals plugin) and with
// polling only (the same app with its signals API turned off in config,
// `app.extensions: [{ api:signals: false }]`). Also counts the gitops API
// requests the tab makes when it opens and while it sits idle.
//
// `node bench/page.mjs` (or `BENCH_ONLY=page npm run bench`). Ports 3000,
// 7007 and 7008 must be free. Prints a JSON line last.
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../scripts/chromium.mjs';
import {
  APP,
  BACKEND,
  SANDBOX,
  sleep,
  startPortal,
  stopPortal,
  waitUp,
} from './portal.mjs';

const SAMPLES = Number(process.env.BENCH_PAGE_SAMPLES ?? 20);
const IDLE_SECONDS = Number(process.env.BENCH_PAGE_IDLE_SECONDS ?? 90);
const ENVIRONMENTS = ['dev', 'staging', 'prod'];

const pct = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const log = m => console.error(`[page bench] ${m}`);

function start(signals) {
  return startPortal({
    // the demo loop's own commits would move the same applications
    SANDBOX_COMMIT_EVERY_SECONDS: '86400',
    SANDBOX_SYNC_SECONDS: '2',
    ...(signals
      ? {}
      : {
          APP_CONFIG_app_extensions: JSON.stringify([{ 'api:signals': false }]),
        }),
  });
}

async function pushTo(name) {
  for (let i = 0; i < 120; i++) {
    const res = await fetch(`${SANDBOX}/sandbox/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    });
    if (res.ok) return (await res.json()).revision;
    await sleep(500); // busy syncing: once it is idle
  }
  throw new Error(`${name} never became idle in the sandbox`);
}

async function deployedAt(name, revision, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { items } = await (
      await fetch(`${SANDBOX}/sandbox/ground-truth`)
    ).json();
    const hit = items.find(
      d =>
        d.name === name && d.revision === revision && d.result === 'Succeeded',
    );
    if (hit) return Date.parse(hit.finishedAt);
    await sleep(100);
  }
  throw new Error(`the sandbox did not deploy ${revision} to ${name}`);
}

async function measure(signals) {
  const mode = signals ? 'signals' : 'polling';
  log(`${mode}: starting the portal`);
  const portal = start(signals);
  let browser;
  try {
    await waitUp(`${BACKEND}/api/gitops/health`, 300_000);
    await waitUp(APP, 300_000);
    browser = await chromium.launch(chromiumLaunchOptions);
    const page = await browser.newPage({
      viewport: { width: 1440, height: 1000 },
    });
    const requests = [];
    page.on('request', r => {
      if (r.url().includes('/api/gitops/'))
        requests.push({ at: Date.now(), path: new URL(r.url()).pathname });
    });
    const sockets = [];
    page.on('websocket', ws => sockets.push(ws.url()));
    await page.goto(APP);
    await page
      .getByRole('button', { name: 'Enter' })
      .click({ timeout: 300_000 });
    await page
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'GitOps' })
      .waitFor({ timeout: 120_000 });
    const opened = Date.now();
    await page.goto(`${APP}/catalog/default/component/checkout/deployments`);
    for (const env of ENVIRONMENTS)
      await page
        .getByRole('region', { name: `environment ${env}` })
        .getByText(/^Deployed: /)
        .first()
        .waitFor({ timeout: 120_000 });
    await sleep(5000);
    // what opening the tab asks for: the first 3 s of its requests (a poll
    // due later, while a dev build loads slowly, is not part of it)
    const first = requests.find(r => r.at >= opened)?.at ?? opened;
    const openPaths = requests
      .filter(r => r.at >= first && r.at < first + 3000)
      .map(r => r.path.replace(/^\/api\/gitops/, ''));
    const onOpen = openPaths.length;
    // idle: nothing changes for checkout (the demo loop is quiet)
    const idleFrom = Date.now();
    await sleep(IDLE_SECONDS * 1000);
    const idle = requests.filter(r => r.at >= idleFrom).length;
    log(
      `${mode}: ${onOpen} requests on open, ${idle} in ${IDLE_SECONDS} s idle`,
    );

    const samples = [];
    for (let i = 0; i < SAMPLES; i++) {
      const env = ENVIRONMENTS[i % ENVIRONMENTS.length];
      const name = `checkout-${env}`;
      // at a random moment of the 30 s poll: otherwise each push follows
      // the page's last poll and polling is measured at its worst
      if (!signals) await sleep(Math.random() * 30_000);
      const revision = await pushTo(name);
      const shown = page
        .getByRole('region', { name: `environment ${env}` })
        .getByText(`Deployed: ${revision.slice(0, 7)}`)
        .first()
        .waitFor({ timeout: 120_000 })
        .then(() => Date.now());
      const [deployed, visible] = await Promise.all([
        deployedAt(name, revision, 120_000),
        shown,
      ]);
      samples.push(Math.max(0, visible - deployed));
      log(
        `${mode} sample ${i + 1}/${SAMPLES}: ${
          visible - deployed
        } ms (${name})`,
      );
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      samples: samples.length,
      p50Ms: pct(sorted, 50),
      p95Ms: pct(sorted, 95),
      maxMs: sorted[sorted.length - 1],
      requestsOnOpen: onOpen,
      pathsOnOpen: openPaths,
      idleRequests: idle,
      idleSeconds: IDLE_SECONDS,
      signalsSocket: sockets.some(u => u.includes('/api/signals')),
    };
  } finally {
    await browser?.close();
    await stopPortal(portal);
  }
}

const result = {
  measuredAt: new Date().toISOString(),
  signals: await measure(true),
  polling: await measure(false),
};
console.log(JSON.stringify(result));
process.exit(0);
