// `npm run verify:embed`: installs the suite into a Backstage app that is
// not ours, exactly as the README's "Add the plugins to an existing
// Backstage" says, and looks at it in Chromium.
//
//  1. packs every published package (`npm pack`: prepack/postpack to dist/);
//  2. generates a fresh app from @backstage/create-app's template, and makes
//     the npm adjustments the README lists (create-app needs Node 22 and
//     yarn on PATH: both come from the npm registry into a tools folder);
//  3. installs the tarballs into packages/backend and packages/app, adds the
//     README's backend lines, the gitops config and one annotated entity;
//  4. starts the sandbox fleet and the app, signs in as guest, opens the
//     entity's Deployments tab and waits for live data from the sandbox;
//  5. saves docs/screenshots/embed-check.png;
//  6. lands a commit in the sandbox while the tab is open: shown without a
//     reload, told by a signal (the generated app has the signals plugin);
//     then again without the signals backend (the app keeps the frontend
//     half, which its settings storage needs): shown by polling.
//
// Needs `npm run build:plugins` first. Prints `embed: N passed, N failed`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packPlugins } from './pack-plugins.mjs';
import { chromiumLaunchOptions } from './chromium.mjs';
import {
  assertPortsFree,
  children,
  cleanup,
  elapsed,
  log,
  root,
  waitFor,
} from './embed/lib.mjs';
import { generateApp } from './embed/generateApp.mjs';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-embed-'));
const toolsDir = path.join(root, 'node_modules/.cache/gitops-embed-tools');
const appDir = path.join(work, 'app');
const packsDir = path.join(work, 'packs');
let passed = 0;
let failed = 0;
process.on('exit', cleanup);

try {
  await assertPortsFree([3000, 7007, 7008]);
  // 1. the tarballs
  const tarballs = packPlugins(packsDir);
  const tgz = name =>
    tarballs.find(t => path.basename(t).startsWith(`gitops-portal-${name}-0`));

  // 2.-3. a fresh app from create-app's template, made as the README says
  const { env, backendIndex } = await generateApp({
    work,
    appDir,
    toolsDir,
    tgz,
  });

  // 4. the sandbox and the app
  const start = (cmd, args, options) => {
    const child = spawn(cmd, args, {
      detached: true,
      stdio: 'inherit',
      ...options,
    });
    children.push(child);
    return child;
  };
  start(
    process.execPath,
    [
      '--require',
      '@backstage/cli/config/nodeTransform.cjs',
      'packages/gitops-sandbox/src/main.ts',
    ],
    {
      cwd: root,
      // no demo commits: the check lands its own and waits for them
      env: { ...process.env, SANDBOX_COMMIT_EVERY_SECONDS: '0' },
    },
  );
  let app = start('npm', ['start'], { cwd: appDir, env });
  await waitFor('http://localhost:7007/api/gitops/health', 300_000);
  await waitFor('http://localhost:3000', 300_000);
  log('backend and app answer');

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch(chromiumLaunchOptions);
  /** Signs in as guest and opens checkout's Deployments tab; tells what the page heard. */
  const openTab = async () => {
    const page = await browser.newPage({
      viewport: { width: 1400, height: 1000 },
    });
    page.setDefaultTimeout(120_000);
    const heard = { sockets: 0, signals: 0 };
    page.on('websocket', ws => {
      if (!ws.url().includes('/api/signals')) return;
      heard.sockets++;
      ws.on('framereceived', frame => {
        if (
          String(frame.payload).includes(
            'gitops:entity:component:default/checkout',
          )
        )
          heard.signals++;
      });
    });
    await page.goto('http://localhost:3000');
    await page
      .getByRole('button', { name: 'Enter' })
      .click({ timeout: 240_000 });
    // guest sign-in done before navigating away
    await page
      .getByRole('button', { name: 'Enter' })
      .waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Catalog' }).first().waitFor();
    // a backend that just started may not have read the catalog's entity
    // or the sandbox yet: open the tab again, as a user would
    const dev = page.getByRole('region', { name: 'environment dev' });
    for (let i = 0; i < 20; i++) {
      await page.goto(
        'http://localhost:3000/catalog/default/component/checkout/deployments',
      );
      if (
        await dev.waitFor({ timeout: 15_000 }).then(
          () => true,
          () => false,
        )
      )
        break;
    }
    for (const env of ['dev', 'staging', 'prod']) {
      await page.getByRole('region', { name: `environment ${env}` }).waitFor();
    }
    await page.getByRole('link', { name: /^checkout-prod/ }).waitFor();
    await page.getByText('Deployment history').waitFor();
    return { page, heard };
  };
  /**
   * A commit lands on checkout-dev in the sandbox; the open tab must show it
   * deployed without a reload. Answers how long it took.
   */
  const showsNextDeployment = async page => {
    let revision;
    for (let i = 0; i < 120 && !revision; i++) {
      const res = await fetch('http://localhost:7008/sandbox/push', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'checkout-dev' }),
      });
      if (res.ok) revision = (await res.json()).revision;
      else await new Promise(r => setTimeout(r, 500)); // busy: once idle
    }
    if (!revision) throw new Error('checkout-dev never became idle');
    const pushed = Date.now();
    await page
      .getByRole('region', { name: 'environment dev' })
      .getByText(`Deployed: ${revision.slice(0, 7)}`)
      .first()
      .waitFor({ timeout: 120_000 });
    return Math.round((Date.now() - pushed) / 100) / 10;
  };
  try {
    // the generated app has the signals plugin (both halves): live
    const { page, heard } = await openTab();
    // the README's image only when asked (UPDATE_SCREENSHOTS=1)
    const shot = path.join(
      root,
      process.env.UPDATE_SCREENSHOTS ? 'docs/screenshots' : 'test-results',
      'embed-check.png',
    );
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot, fullPage: false });
    log(
      `the Deployments tab of a generated app shows live data; ${path.relative(
        root,
        shot,
      )}`,
    );
    const liveSeconds = await showsNextDeployment(page);
    if (!heard.sockets || !heard.signals)
      throw new Error(
        `with signals in the app, the tab heard ${heard.signals} signal(s) on ${heard.sockets} socket(s)`,
      );
    log(
      `signals: a new deployment shown ${liveSeconds} s after the push, told by ${heard.signals} signal(s)`,
    );
    // the search module: the generated app's search page finds checkout's
    // applications (indexed every 20 s here), shown by the GitOps result item
    const result = page.getByRole('link', { name: 'checkout-prod' }).first();
    let found = false;
    for (let i = 0; i < 12 && !found; i++) {
      await page.goto('http://localhost:3000/search?query=checkout-prod');
      found = await result.waitFor({ timeout: 10_000 }).then(
        () => true,
        () => false,
      );
    }
    if (!found) throw new Error('search never found checkout-prod');
    const href = await result.getAttribute('href');
    if (!href?.includes('/catalog/default/component/checkout/deployments'))
      throw new Error(`the search result links to ${href}`);
    log('search: the portal search finds checkout-prod, linked to its tab');
    // the Tech Insights module: checkout's GitOps facts stored, and graded
    const auth = { authorization: `Bearer ${env.EMBED_CHECK_TOKEN}` };
    let facts;
    for (let i = 0; i < 60 && !facts; i++) {
      const res = await fetch(
        'http://localhost:7007/api/tech-insights/facts/latest?entity=component:default/checkout&ids[]=gitopsFactRetriever',
        { headers: auth },
      );
      if (res.ok) facts = (await res.json()).gitopsFactRetriever?.facts;
      if (!facts) await new Promise(r => setTimeout(r, 2000));
    }
    if (!facts?.applications)
      throw new Error(`no GitOps facts for checkout: ${JSON.stringify(facts)}`);
    const graded = await fetch(
      'http://localhost:7007/api/tech-insights/checks/run/default/component/checkout',
      {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ checks: ['gitopsNotOutOfSyncForLong'] }),
      },
    ).then(r => r.json());
    if (graded?.[0]?.check?.id !== 'gitopsNotOutOfSyncForLong')
      throw new Error(`the check did not run: ${JSON.stringify(graded)}`);
    log(
      `tech insights: checkout has ${facts.applications} applications, production ${facts.productionEnvironment}; check gitopsNotOutOfSyncForLong: ${graded[0].result}`,
    );
    passed++;
    await page.close();
  } catch (e) {
    console.error(`[embed ${elapsed()}] signals mode FAILED: ${e.stack ?? e}`);
    failed++;
  }
  try {
    // the same app without the signals backend (the frontend half stays:
    // the generated app's settings storage needs it): the tab polls
    process.kill(-app.pid, 'SIGTERM');
    await assertPortsFree([3000, 7007]);
    const withSignals = fs.readFileSync(backendIndex, 'utf8');
    const without = withSignals.replace(
      /^backend\.add\(import\('@backstage\/plugin-signals-backend'\)\);$/m,
      '',
    );
    if (without === withSignals)
      throw new Error('the generated backend does not add the signals plugin');
    fs.writeFileSync(backendIndex, without);
    app = start('npm', ['start'], { cwd: appDir, env });
    await waitFor('http://localhost:7007/api/gitops/health', 300_000);
    await waitFor('http://localhost:3000', 300_000);
    const { page, heard } = await openTab();
    const pollSeconds = await showsNextDeployment(page);
    if (heard.signals)
      throw new Error('without the signals backend, the tab heard a signal');
    log(
      `polling (no signals backend): a new deployment shown ${pollSeconds} s after the push, by polling`,
    );
    passed++;
  } catch (e) {
    const shot = path.join(os.tmpdir(), 'embed-polling-failed.png');
    await browser
      .contexts()[0]
      ?.pages()
      .at(-1)
      ?.screenshot({ path: shot })
      .catch(() => {});
    console.error(
      `[embed ${elapsed()}] polling mode FAILED (screenshot ${shot}): ${
        e.stack ?? e
      }`,
    );
    failed++;
  } finally {
    await browser.close();
  }
} catch (e) {
  console.error(`[embed ${elapsed()}] FAILED: ${e.stack ?? e}`);
  console.error(`generated app kept for inspection at ${appDir}`);
  process.env.GITOPS_EMBED_KEEP = '1';
  failed++;
} finally {
  cleanup();
  if (!process.env.GITOPS_EMBED_KEEP)
    fs.rmSync(work, { recursive: true, force: true });
  console.log(`embed check took ${elapsed()}`);
  console.log(`embed: ${passed} passed, ${failed} failed`);
  process.exit(failed || !passed ? 1 : 0);
}
