// End-to-end check in real Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core): starts the portal unless GITOPS_E2E_URL points at one,
// signs in as guest, opens a service's Deployments tab and the fleet page with
// live data from the sandbox fleet,
// and saves screenshots under test-results/e2e-screenshots/ (the README's,
// e2e/screenshots/, with UPDATE_SCREENSHOTS=1). Prints `N passed, N failed`.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../scripts/chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// a run leaves the working tree as it was; the README's images change only
// when asked
const shots = process.env.UPDATE_SCREENSHOTS
  ? join(root, 'e2e', 'screenshots')
  : join(root, 'test-results', 'e2e-screenshots');
mkdirSync(shots, { recursive: true });
const appUrl = process.env.GITOPS_E2E_URL ?? 'http://localhost:3000';
const backendUrl = process.env.GITOPS_E2E_BACKEND ?? 'http://localhost:7007';

/**
 * A developer's push over smart HTTP to a sandbox repository: an empty
 * commit on main with this message; answers its short SHA.
 */
function pushCommit(repo, message) {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-push-'));
  const git = (...args) =>
    execFileSync('git', args, {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'Erin E2E',
        GIT_AUTHOR_EMAIL: 'erin@example.com',
        GIT_COMMITTER_NAME: 'Erin E2E',
        GIT_COMMITTER_EMAIL: 'erin@example.com',
      },
      stdio: 'pipe',
    });
  try {
    git('clone', '--quiet', `http://localhost:7008/git/${repo}.git`, '.');
    git('commit', '--quiet', '--allow-empty', '-m', message);
    git('push', '--quiet', 'origin', 'main');
    return git('rev-parse', 'HEAD').toString().trim().slice(0, 7);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Merges the branch waiting on the sandbox's fleet repository whose name
 * starts so, as a reviewer would (within 30 s; the sandbox may have merged
 * it on its own already).
 */
async function mergeFleetBranch(prefix) {
  for (let i = 0; i < 30; i++) {
    const { branches } = await (
      await fetch('http://localhost:7008/sandbox/git/branches?repo=fleet')
    ).json();
    const branch = branches.find(b => b.startsWith(prefix));
    if (branch) {
      await fetch('http://localhost:7008/sandbox/git/merge', {
        method: 'POST',
        body: JSON.stringify({ repo: 'fleet', branch }),
      });
      return branch;
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  return undefined;
}

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

  await check(
    "lists checkout's pull-request previews apart from its environments; a closed pull request's preview goes, a new one comes",
    async () => {
      const tab = `${appUrl}/catalog/default/component/checkout/deployments`;
      const sandbox = 'http://localhost:7008/sandbox/pull-requests';
      const pulls = async body =>
        (
          await fetch(sandbox, {
            method: body ? 'POST' : 'GET',
            headers: { 'content-type': 'application/json' },
            body: body && JSON.stringify(body),
          })
        ).json();
      // what the sandbox has open is what the tab lists
      const open = (await pulls()).items;
      if (open.length < 2)
        throw new Error(`sandbox has ${open.length} open pull requests`);
      await page.goto(tab);
      const previews = page.getByLabel('pull-request previews');
      for (const pr of open) {
        await previews
          .getByRole('link', { name: `#${pr.number}` })
          .waitFor({ timeout: 60_000 });
        await previews.getByText(pr.title).waitFor();
      }
      if (
        await page.getByRole('region', { name: 'environment preview' }).count()
      )
        throw new Error('a preview is shown as an environment');
      await previews.scrollIntoViewIfNeeded();
      await page.screenshot({
        path: join(shots, 'previews.png'),
        fullPage: true,
      });
      // the first one closes, #77 opens
      const closed = open[0].number;
      await pulls({ number: closed, state: 'closed' });
      await pulls({
        number: 77,
        title: 'Saved carts for guests',
        author: 'erin',
      });
      let ok = false;
      for (let i = 0; i < 20 && !ok; i++) {
        await page.waitForTimeout(3000);
        ok =
          (await previews.getByRole('link', { name: '#77' }).count()) === 1 &&
          (await previews.getByRole('link', { name: `#${closed}` }).count()) ===
            0;
        if (!ok && i % 4 === 3) await page.goto(tab);
      }
      if (!ok)
        throw new Error(
          `the previews did not follow #${closed} closing and #77 opening`,
        );
      await previews.getByText('Saved carts for guests').waitFor();
      // back as it was, for the checks after this one
      await pulls({ number: 77, state: 'closed' });
      await pulls(open[0]);
    },
  );

  await check(
    'every Git-sourced history row tells its author and message, and what it brought; no new commit is called a self-heal',
    async () => {
      // the history is described in the background (a batch per Git refresh)
      const history = page
        .getByRole('table')
        .filter({ hasText: 'Initiated by' });
      let missing = -1;
      let brought = 0;
      let mislabelled = [];
      for (let attempt = 0; attempt < 24; attempt++) {
        await page.goto(
          `${appUrl}/catalog/default/component/checkout/deployments`,
        );
        await page.getByRole('cell', { name: 'Succeeded' }).first().waitFor();
        const rows = history.locator('tbody tr');
        const count = await rows.count();
        missing = 0;
        const read = [];
        for (let i = 0; i < count; i++) {
          const cells = rows.nth(i).locator('td');
          const environment = (await cells.nth(1).innerText()).trim();
          const revision = (await cells.nth(2).innerText()).trim().slice(0, 7);
          const kind = await cells
            .nth(2)
            .getByTestId('deployment-kind')
            .getAttribute('data-kind', { timeout: 100 })
            .catch(() => undefined);
          read.push({ environment, revision, kind });
          // rows of the last refresh cycle (15 s in the demo) may not be read yet
          const finishedAt = await cells
            .nth(0)
            .locator('span[title]')
            .getAttribute('title');
          if (Date.now() - Date.parse(finishedAt) < 45_000) continue;
          const author = (await cells.nth(3).innerText()).trim();
          // every checkout deployment is from Git: a short SHA
          if (/^[0-9a-f]{7}/.test(revision) && (author === '—' || !author))
            missing++;
        }
        // a self-heal re-applies what ran: the environment's previous row
        // (newest first) has the same revision
        mislabelled = read.filter((r, i) => {
          if (r.kind !== 'self-heal') return false;
          const before = read
            .slice(i + 1)
            .find(o => o.environment === r.environment);
          return before && before.revision !== r.revision;
        });
        brought = await history.getByText(/^\d+ commits?/).count();
        if (count > 0 && missing === 0 && brought > 0) break;
        await page.waitForTimeout(5000);
      }
      if (missing !== 0)
        throw new Error(
          `${missing} Git-sourced history rows without an author`,
        );
      if (brought === 0)
        throw new Error('no history row tells the commits it brought');
      if (mislabelled.length)
        throw new Error(
          `new revisions labelled self-heal: ${JSON.stringify(mislabelled)}`,
        );
    },
  );

  await check(
    'shows delivery performance: the overview card, the chart, the team view',
    async () => {
      await page.goto(`${appUrl}/catalog/default/component/checkout`);
      const card = page
        .locator('article, div')
        .filter({
          has: page.getByText('Delivery performance', { exact: true }),
        })
        .filter({ has: page.getByRole('group', { name: 'Change lead time' }) })
        .last();
      await card
        .getByRole('group', { name: 'Deployment frequency' })
        .getByText(/\/ (day|week|month)/)
        .waitFor();
      await card
        .getByLabel(/^DORA band /)
        .first()
        .waitFor();
      await card.screenshot({ path: join(shots, 'delivery-card.png') });

      await page.goto(
        `${appUrl}/catalog/default/component/checkout/deployments`,
      );
      const chart = page.getByRole('img', {
        name: /^Deployments per day over 30 days: dev [1-9]/,
      });
      await chart.waitFor();
      await page
        .locator('div')
        .filter({
          has: page.getByText('Deployments over time', { exact: true }),
        })
        .filter({ has: chart })
        .last()
        .screenshot({ path: join(shots, 'deployments-chart.png') });

      await page.goto(`${appUrl}/gitops`);
      const teams = page
        .locator('div')
        .filter({ has: page.getByText(/^Delivery performance by team/) })
        .filter({ has: page.getByRole('table') })
        .last();
      await teams.getByRole('link', { name: 'team-checkout' }).waitFor();
      await teams.screenshot({ path: join(shots, 'team-view.png') });
    },
  );

  await check(
    'opens the Deployments tab of an application Resource from the catalog module',
    async () => {
      await page.goto(
        `${appUrl}/catalog/default/resource/argocd-main-argocd-checkout-dev`,
      );
      // status tags on the entity, put there by the catalog module
      await page
        .getByText('health-healthy')
        .or(page.getByText('health-progressing'))
        .first()
        .waitFor({ timeout: 90_000 });
      await page
        .getByRole('link', { name: 'Deployments', exact: true })
        .click();
      await page.getByRole('region', { name: 'environment dev' }).waitFor();
      await page.screenshot({
        path: join(shots, 'resource-deployments.png'),
        fullPage: true,
      });
    },
  );

  await check(
    'shows a commit pushed to a sandbox repository as pending, then deployed',
    async () => {
      // a developer's push over smart HTTP to the sandbox's checkout repository
      const message = `feat: e2e change ${Date.now().toString(36)}`;
      const sha = pushCommit('checkout', message);
      const opened = Date.now();
      await page.goto(
        `${appUrl}/catalog/default/component/checkout/deployments`,
      );
      // staging runs an older commit: the new one is pending there, with its
      // message (unless the demo loop promoted it meanwhile: then deployed)
      const staging = page.getByRole('region', { name: 'environment staging' });
      const pending = staging.getByRole('button', {
        name: /pending commits? on main/,
      });
      const promoted = staging.getByText(`Deployed: ${sha}`);
      await pending.or(promoted).first().waitFor({ timeout: 120_000 });
      if (await pending.isVisible()) await pending.click();
      await staging
        .getByText(message)
        .or(promoted)
        .first()
        .waitFor({ timeout: 120_000 });
      // dev follows main: Argo CD syncs it and the open tab shows it
      // deployed, told by a signal (no reload, no 30 s poll)
      const dev = page.getByRole('region', { name: 'environment dev' });
      await dev.getByText(`Deployed: ${sha}`).waitFor({ timeout: 120_000 });
      // the open tab hears its entity's channel (dev may have deployed the
      // commit before the page opened; the demo fleet keeps changing)
      const onChannel = () =>
        signalsHeard.filter(
          h =>
            h.channel === 'gitops:entity:component:default/checkout' &&
            h.at >= opened,
        ).length;
      for (let i = 0; i < 90 && onChannel() === 0; i++)
        await page.waitForTimeout(1000);
      if (onChannel() === 0)
        throw new Error('the open tab heard no signal on its channel in 90 s');
      await dev.getByText(message).first().waitFor({ timeout: 60_000 });
      await page.screenshot({
        path: join(shots, 'pushed-commit.png'),
        fullPage: true,
      });
    },
  );

  await check(
    'promotes staging → prod and rolls back, as reviewed changes to the fleet repository',
    async () => {
      const tab = `${appUrl}/catalog/default/component/storefront/deployments`;
      await page.goto(tab);
      const region = env =>
        page.getByRole('region', { name: `environment ${env}` });
      const deployed = async env => {
        const text = await region(env)
          .getByText(/^Deployed: [0-9a-f]{7}/)
          .first()
          .textContent({ timeout: 120_000 });
        return /Deployed: ([0-9a-f]{7})/.exec(text)[1];
      };
      const stagingSha = await deployed('staging');
      const prodBefore = await deployed('prod');
      if (stagingSha === prodBefore)
        throw new Error('staging and prod already run the same commit');
      // a history row that says which proposal it ran (rows reload on new deployments)
      const chip = async text => {
        for (let i = 0; i < 24; i++) {
          await page.getByRole('cell', { name: 'Succeeded' }).first().waitFor();
          if (
            await page
              .getByTestId('proposal-chip')
              .filter({ hasText: text })
              .first()
              .isVisible()
          )
            return;
          await page.waitForTimeout(5000);
          await page.goto(tab);
        }
        throw new Error(`no history row with '${text}'`);
      };

      // promote: the dialog shows the exact change, then it is proposed
      await region('prod')
        .getByRole('button', { name: /^Promote staging → prod/ })
        .click();
      const dialog = page.getByRole('dialog');
      await dialog
        .getByText('apps/storefront/prod.yaml', { exact: true })
        .waitFor();
      await dialog.getByText(/^\+\s+targetRevision: /).waitFor();
      // the commits going out, newest first: the first is what staging runs
      const newest = await dialog
        .getByTestId('change-commits')
        .getByRole('listitem')
        .first()
        .textContent();
      if (!newest.startsWith(stagingSha))
        throw new Error(
          `the dialog's newest commit going out is not staging's ${stagingSha}: ${newest}`,
        );
      await dialog.getByRole('textbox').fill('Release train 42 (e2e)');
      await page.screenshot({ path: join(shots, 'promote-dialog.png') });
      await dialog.getByRole('button', { name: 'Propose' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await region('prod')
        .getByTestId('proposal')
        .filter({ hasText: `promotion to ${stagingSha}` })
        .waitFor({ timeout: 30_000 });
      await page.screenshot({
        path: join(shots, 'promotion-proposed.png'),
        fullPage: true,
      });
      await mergeFleetBranch('gitops/promote-prod-');
      await page.goto(tab);
      await region('prod')
        .getByText(`Deployed: ${stagingSha}`)
        .waitFor({ timeout: 120_000 });
      await chip('promotion by guest');

      // roll back to the deployment prod ran before
      const row = page
        .getByRole('row')
        .filter({ hasText: prodBefore })
        .filter({ has: page.getByRole('button', { name: 'Roll back' }) })
        .first();
      // the history reloads when a deployment arrives: a click on a row being
      // replaced is lost, so click again until the dialog opens
      for (let attempt = 1; ; attempt++) {
        await row.getByRole('button', { name: 'Roll back' }).click();
        const opened = await dialog.waitFor({ timeout: 10_000 }).then(
          () => true,
          () => false,
        );
        if (opened || attempt === 3) break;
      }
      await dialog
        .getByText('apps/storefront/prod.yaml', { exact: true })
        .waitFor();
      await dialog.getByRole('button', { name: 'Propose' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await region('prod')
        .getByTestId('proposal')
        .filter({ hasText: `rollback to ${prodBefore}` })
        .waitFor({ timeout: 30_000 });
      await mergeFleetBranch('gitops/rollback-prod-');
      await page.goto(tab);
      await region('prod')
        .getByText(`Deployed: ${prodBefore}`)
        .waitFor({ timeout: 120_000 });
      await chip('rollback by guest');
      await page.screenshot({
        path: join(shots, 'rollback-row.png'),
        fullPage: true,
      });
    },
  );

  await check(
    'holds a promotion into staging until dev has run the candidate for its soak minute, then offers it',
    async () => {
      // storefront's annotation: staging takes only what dev has run Synced
      // and Healthy for a minute. A new commit on main: dev deploys it
      const sha = pushCommit('storefront', 'feat: soak e2e');
      await page.goto(
        `${appUrl}/catalog/default/component/storefront/deployments`,
      );
      const dev = page.getByRole('region', { name: 'environment dev' });
      const staging = page.getByRole('region', { name: 'environment staging' });
      await dev.getByText(`Deployed: ${sha}`).waitFor({ timeout: 120_000 });
      // held, saying why and until when
      const held = staging
        .getByTestId('promote-held')
        .filter({ hasText: `Soak (1 min): dev has run ${sha}` });
      await held.waitFor({ timeout: 60_000 });
      const reason = await held.textContent();
      const until = /promotable at (\S+)$/.exec(reason)?.[1];
      if (!until || Number.isNaN(Date.parse(until)))
        throw new Error(`the soak hold says not until when: ${reason}`);
      const promote = staging.getByRole('button', {
        name: /^Promote dev → staging/,
      });
      if (!(await promote.isDisabled()))
        throw new Error('Promote is enabled while the candidate soaks');
      await staging.scrollIntoViewIfNeeded();
      await page.screenshot({
        path: join(shots, 'soak-held.png'),
        fullPage: true,
      });
      // the page opens it by itself once the minute is over (no reload)
      const wait = Date.parse(until) - Date.now();
      if (wait > 90_000) throw new Error(`the soak ends too late: ${until}`);
      await held.waitFor({
        state: 'hidden',
        timeout: Math.max(wait, 0) + 45_000,
      });
      if (Date.now() < Date.parse(until))
        throw new Error(`the soak hold went before ${until}`);
      await promote.waitFor();
      if (await promote.isDisabled())
        throw new Error(
          `Promote dev → staging stays off after the soak: ${await staging.textContent()}`,
        );
    },
  );

  await check(
    'proposes the rollback of a promotion whose canary turns Degraded, and tells the owners',
    async () => {
      const tab = `${appUrl}/catalog/default/component/storefront/deployments`;
      await page.goto(tab);
      const prod = page.getByRole('region', { name: 'environment prod' });
      const deployed = async () =>
        /Deployed: ([0-9a-f]{7})/.exec(
          await prod
            .getByText(/^Deployed: [0-9a-f]{7}/)
            .first()
            .textContent({ timeout: 120_000 }),
        )[1];
      const before = await deployed();
      const promote = prod.getByRole('button', {
        name: /^Promote staging → prod/,
      });
      await promote.click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Propose' }).click();
      await dialog.waitFor({ state: 'hidden' });
      // a reviewer merges it; Argo CD rolls it out
      await mergeFleetBranch('gitops/promote-prod-');
      for (let i = 0; i < 40 && (await deployed()) === before; i++)
        await page.waitForTimeout(3000);
      const promoted = await deployed();
      if (promoted === before)
        throw new Error('the promotion was not deployed');
      // the new version's canary fails its analysis: prod turns Degraded
      const degraded = await fetch('http://localhost:7008/sandbox/degrade', {
        method: 'POST',
        body: JSON.stringify({ instance: 'prod', name: 'storefront-prod' }),
      });
      if (degraded.status !== 200)
        throw new Error(`degrade: ${degraded.status}`);
      // the backend proposes going back, never merges it
      const proposal = prod
        .getByTestId('proposal')
        .filter({ hasText: `rollback to ${before}` })
        .filter({ hasText: /automatic/i });
      for (let i = 0; i < 12 && !(await proposal.isVisible()); i++) {
        await page.waitForTimeout(5000);
        if (i % 3 === 2) await page.goto(tab);
      }
      await proposal.first().waitFor({ timeout: 5000 });
      if ((await deployed()) !== promoted)
        throw new Error('the automatic rollback was applied without review');
      await prod.scrollIntoViewIfNeeded();
      await page.screenshot({
        path: join(shots, 'auto-rollback.png'),
        fullPage: true,
      });
      // the owners are told: the guest is in team-checkout, storefront's owner
      await page.goto(`${appUrl}/notifications`);
      await page
        .getByText('storefront: a rollback of prod was proposed automatically')
        .first()
        .waitFor({ timeout: 60_000 });
      // reviewed and merged: prod back on what ran before, Healthy
      await mergeFleetBranch('gitops/rollback-prod-');
      await page.goto(tab);
      await prod.getByText(`Deployed: ${before}`).waitFor({ timeout: 120_000 });
    },
  );

  await check(
    'shows what runs: images, a hand-made change reverted by self-heal, a hydrated application',
    async () => {
      // payments-prod: someone edits a ConfigMap by hand every 90 s; Argo CD's
      // self-heal re-applies the same revision (a distinct history row)
      const tab = `${appUrl}/catalog/default/component/payments/deployments`;
      const selfHeal = page
        .getByText(
          'self-heal: same revision re-applied (a manual change reverted)',
        )
        .first();
      for (let i = 0; i < 30; i++) {
        await page.goto(tab);
        await page.getByRole('cell', { name: 'Succeeded' }).first().waitFor();
        if (await selfHeal.isVisible()) break;
        await page.waitForTimeout(5000);
      }
      await selfHeal.waitFor({ timeout: 5000 });
      const prod = page.getByRole('region', { name: 'environment prod' });
      await prod
        .getByLabel('images of payments-prod')
        .getByText(/^ghcr\.io\/acme\/payments:[0-9a-f]{7}$/)
        .waitFor();
      // payments' prod is in a freeze window (the demo entity's annotation):
      // promotion is held, saying why and until when
      const held = await prod.getByTestId('promote-held').textContent();
      if (!held.startsWith('Frozen: freeze window (2026-01-01T00:00:00.000Z'))
        throw new Error(`payments prod is not shown frozen: ${held}`);
      if (
        !(await prod
          .getByRole('button', { name: /^Promote staging → prod/ })
          .isDisabled())
      )
        throw new Error('Promote is enabled in a freeze window');
      await page.screenshot({
        path: join(shots, 'self-heal.png'),
        fullPage: true,
      });
      // search: Argo CD 3.x source hydration; the dry commit with its message,
      // the hydrated one beside it
      await page.goto(`${appUrl}/catalog/default/component/search/deployments`);
      const search = page.getByRole('region', { name: 'environment prod' });
      await search
        .getByText(/^Hydrated into environments\/prod at [0-9a-f]{7}/)
        .waitFor({ timeout: 60_000 });
      await search.getByText(/^Deployed: [0-9a-f]{7}/).waitFor();
      await search
        .getByText(/— (Alice Developer|Bob Builder|Carol Ops)/)
        .first()
        .waitFor({ timeout: 60_000 });
      await page.screenshot({
        path: join(shots, 'hydrated-app.png'),
        fullPage: true,
      });
    },
  );

  await check(
    'shows a canary under way: its step, traffic weight and pause, moving on',
    async () => {
      // recommendations-prod: an Argo Rollouts canary of 6 steps, 12 s each
      await page.goto(
        `${appUrl}/catalog/default/component/recommendations/deployments`,
      );
      const prod = page.getByRole('region', { name: 'environment prod' });
      const line = prod.getByLabel('rollout recommendations');
      const canary =
        /^Rollout recommendations: canary step (\d) of 6, (\d+) % on the new version/;
      await line.getByText(canary).waitFor({ timeout: 120_000 });
      const first = (await line.getByText(canary).textContent()) ?? '';
      const [, step, weight] = canary.exec(first);
      const bar = line.getByRole('progressbar');
      if ((await bar.getAttribute('aria-valuenow')) !== weight)
        throw new Error(
          `bar shows ${await bar.getAttribute(
            'aria-valuenow',
          )} %, text ${weight} %`,
        );
      // a pause step says so
      if (['1', '3', '5'].includes(step) && !first.includes('paused'))
        throw new Error(`step ${step} is a pause step: ${first}`);
      await page.screenshot({
        path: join(shots, 'canary.png'),
        fullPage: true,
      });
      // the canary moves on within two steps' time: another step, or done
      // (a healthy app has no rollout under way to show)
      for (let i = 0; ; i++) {
        const now = (await line.count()) ? await line.textContent() : '';
        if (!now.includes(`canary step ${step} of`)) break;
        if (i >= 45)
          throw new Error(`the canary stayed at step ${step}: ${now}`);
        await page.waitForTimeout(2000);
      }
    },
  );

  await check(
    "shows a Flux service's images and its stuck Deployment, read through the Kustomization's inventory",
    async () => {
      // inventory: Flux Kustomizations whose inventories name a Deployment each;
      // staging's is stuck past its progress deadline
      await page.goto(
        `${appUrl}/catalog/default/component/inventory/deployments`,
      );
      const dev = page.getByRole('region', { name: 'environment dev' });
      await dev
        .getByLabel('images of inventory-dev')
        .getByText(/^ghcr\.io\/gitops-portal\/inventory:[0-9a-f]{7}$/)
        .waitFor({ timeout: 60_000 });
      const staging = page.getByRole('region', { name: 'environment staging' });
      const stuck = staging.getByLabel(
        'resources of inventory-staging needing attention',
      );
      await stuck
        .getByText('1 of 3 resources out of sync or unhealthy:')
        .waitFor();
      await stuck
        .getByText(
          /^Deployment inventory-staging\/inventory: Degraded — ReplicaSet "inventory-[0-9a-f]+" has timed out progressing\.$/,
        )
        .waitFor();
      await page.screenshot({
        path: join(shots, 'flux-drift.png'),
        fullPage: true,
      });
    },
  );

  await check(
    'groups applications under the ApplicationSet that generated them, with its progressive sync',
    async () => {
      await page.goto(
        `${appUrl}/catalog/default/component/checkout/deployments`,
      );
      // (checkout-previews is another: the pull-request previews')
      const set = page.getByLabel('ApplicationSet checkout', { exact: true });
      await set
        .getByText(/ · progressive sync, \d+ steps?$/)
        .waitFor({ timeout: 60_000 });
      await set.getByText(/^(step \d+ · )?checkout-dev: /).waitFor();
      await page
        .getByRole('region', { name: 'environment dev' })
        .getByText(/generated by ApplicationSet checkout(?!-)/)
        .waitFor();
      await set.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, 'application-set.png') });
      // and on the fleet page
      await page.goto(`${appUrl}/gitops`);
      await page
        .getByLabel('ApplicationSet checkout', { exact: true })
        .getByText(/progressive sync, \d+ steps?$/)
        .waitFor({ timeout: 60_000 });
    },
  );

  await check(
    'tells which controller is unreachable on the fleet page, and recovers',
    async () => {
      const down = value =>
        fetch('http://localhost:7008/sandbox/down', {
          method: 'POST',
          body: JSON.stringify({ instance: 'prod', down: value }),
        });
      await down(true);
      try {
        await page.goto(`${appUrl}/gitops`);
        await page
          .getByText(
            /^prod unreachable since \d\d:\d\d; its \d+ applications show their last known state/,
          )
          .waitFor({ timeout: 60_000 });
        await page.screenshot({
          path: join(shots, 'controller-unreachable.png'),
        });
      } finally {
        await down(false);
      }
      // read again at the next poll: the banner goes
      await page
        .getByText(/GitOps controllers? unreachable/)
        .waitFor({ state: 'detached', timeout: 60_000 });
    },
  );

  await check(
    'our components print no warnings in the browser console',
    async () => {
      // material-table's notice, at most once per table these pages mount
      const isStatic = p => /material table are static/.test(p);
      const staticsBefore = consoleProblems.filter(isStatic).length;
      // the tab, the overview card and the fleet page (and every page above)
      for (const [path, ready] of [
        [
          '/catalog/default/component/checkout/deployments',
          'Deployment history',
        ],
        ['/catalog/default/component/checkout', 'Delivery performance'],
        ['/gitops', 'GitOps fleet'],
      ]) {
        await page.goto(`${appUrl}${path}`);
        await page.getByText(ready, { exact: true }).first().waitFor();
        await page.waitForTimeout(3000);
      }
      // React's notice about a library's defaultProps (material-table's own
      // components, named in the stack under ours) is not ours; material-table
      // also says "columns ... static" once per table when its data changes
      // (a live reload) and its columns render: once per table, not per render
      const statics = consoleProblems.filter(isStatic).length - staticsBefore;
      if (statics > 6)
        throw new Error(
          `material-table reset its state ${statics} times on three pages`,
        );
      const ours = [
        ...new Set(
          consoleProblems
            .filter(p => !/Support for defaultProps will be removed/.test(p))
            .filter(p => !isStatic(p))
            .map(p => p.slice(0, 200)),
        ),
      ];
      if (ours.length)
        throw new Error(
          `${ours.length} console warnings: ${ours.slice(0, 6).join(' | ')}`,
        );
    },
  );
  await check(
    'lays out the tab and the fleet page at 1440, 1024 and 390 px',
    async () => {
      const problems = [];
      for (const width of [1440, 1024, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.goto(
          `${appUrl}/catalog/default/component/checkout/deployments`,
        );
        await page.getByText('Deployment history', { exact: true }).waitFor();
        await page.getByRole('cell', { name: 'Succeeded' }).first().waitFor();
        await page.waitForTimeout(1500);
        await page.screenshot({
          path: join(shots, `tab-${width}.png`),
          fullPage: true,
        });
        // the history as one sees it at this width
        await page
          .getByText('Deployment history', { exact: true })
          .scrollIntoViewIfNeeded();
        await page.screenshot({ path: join(shots, `history-${width}.png`) });
        // nothing the user acts on is out of reach sideways
        const rollback = page
          .getByRole('button', { name: 'Roll back' })
          .first();
        const box = await rollback.boundingBox();
        const scrollWidth = await page.evaluate(
          () => document.documentElement.scrollWidth,
        );
        if (scrollWidth > width + 1)
          problems.push(
            `${width} px: the page scrolls sideways (${scrollWidth} px)`,
          );
        if (!box || box.x + box.width > width)
          problems.push(
            `${width} px: Roll back is out of view${
              box ? ` (right edge at ${Math.round(box.x + box.width)})` : ''
            }`,
          );
        await page.goto(`${appUrl}/gitops`);
        await page.getByText(/Applications \([1-9]\d*\)/).waitFor();
        await page.waitForTimeout(1000);
        await page.screenshot({
          path: join(shots, `fleet-${width}.png`),
          fullPage: true,
        });
      }
      await page.setViewportSize({ width: 1400, height: 1000 });
      if (problems.length) throw new Error(problems.join('; '));
    },
  );
  await check('opens the fleet page', async () => {
    await page.goto(`${appUrl}/gitops`);
    await page.getByText('GitOps fleet').waitFor();
    await page.getByText(/Applications \([1-9]\d*\)/).waitFor();
    await page.getByRole('link', { name: /^cert-manager/ }).waitFor();
    // a service opens its own page in the portal, from the matrix
    const service = page
      .getByRole('table', { name: 'service environment matrix' })
      .getByRole('link', { name: 'checkout', exact: true });
    const href = await service.getAttribute('href');
    if (!href?.endsWith('/catalog/default/component/checkout'))
      throw new Error(`the matrix links checkout to ${href}`);
    await page.screenshot({
      path: join(shots, 'fleet-page.png'),
      fullPage: true,
    });
  });
  await check(
    "finds a service's application in the portal's search, and opens its Deployments tab",
    async () => {
      // the search module indexes a minute apart in the demo: search again
      // until the application is in the index
      const result = page.getByRole('link', { name: 'checkout-prod' }).first();
      for (let i = 0; i < 20; i++) {
        await page.goto(`${appUrl}/search?query=checkout-prod`);
        if (
          await result.waitFor({ timeout: 10_000 }).then(
            () => true,
            () => false,
          )
        )
          break;
      }
      const href = await result.getAttribute('href');
      if (
        !href?.startsWith(
          '/catalog/default/component/checkout/deployments?application=',
        )
      )
        throw new Error(`the search result links to ${href}`);
      await page.screenshot({
        path: join(shots, 'search-result.png'),
        fullPage: false,
      });
      await result.click();
      await page.getByRole('region', { name: 'environment prod' }).waitFor();
    },
  );
  await check(
    'creates a GitOps-managed service from the template, and sees it deployed',
    async () => {
      const name = `e2e-svc-${Date.now().toString(36)}`;
      await page.goto(
        `${appUrl}/create/templates/default/create-gitops-service`,
      );
      await page.getByRole('textbox', { name: /^Name/ }).fill(name);
      const owner = page
        .getByRole('combobox', { name: /^Owner/ })
        .or(page.getByRole('textbox', { name: /^Owner/ }))
        .first();
      await owner.fill('group:default/team-payments');
      await owner.press('Tab');
      await page.getByRole('button', { name: 'Next' }).click();
      // Deployment: Argo CD, dev/staging/prod, the sandbox's Git host and fleet repository
      await page.getByRole('button', { name: 'Review' }).click();
      await page.getByRole('button', { name: 'Create' }).click();
      await page.waitForURL(/\/create\/tasks\//);
      // every step ran: service repo pushed, fleet commit, catalog registration
      const open = page
        .getByRole('link', { name: 'Open in catalog' })
        .or(page.getByRole('button', { name: 'Open in catalog' }))
        .first();
      await open.waitFor({ timeout: 120_000 });
      await page.screenshot({
        path: join(shots, 'scaffolder-task.png'),
        fullPage: true,
      });
      await open.click();
      await page.waitForURL(new RegExp(`/catalog/default/component/${name}`), {
        timeout: 60_000,
      });
      // the catalog processes the new location within seconds; reload like a user would
      const tab = page.getByRole('link', { name: 'Deployments', exact: true });
      for (let i = 0; i < 30 && !(await tab.isVisible()); i++) {
        await page.waitForTimeout(3000);
        if (await page.getByText('Entity not found').isVisible())
          await page.reload();
      }
      await tab.click();
      // the sandbox reconciles the fleet commit, Argo CD syncs, the backend ingests it
      for (const env of ['dev', 'staging', 'prod']) {
        const region = page.getByRole('region', { name: `environment ${env}` });
        await region.waitFor({ timeout: 120_000 });
        await region.getByText('Synced').first().waitFor({ timeout: 120_000 });
        await region.getByText('Healthy').first().waitFor({ timeout: 120_000 });
      }
      await page
        .getByText(`Create ${name}`)
        .first()
        .waitFor({ timeout: 60_000 });
      // and the first rollout of each environment is in its history
      await page
        .getByRole('cell', { name: 'Succeeded' })
        .nth(2)
        .waitFor({ timeout: 60_000 });
      await page.screenshot({
        path: join(shots, 'scaffolded-service.png'),
        fullPage: true,
      });
    },
  );
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
