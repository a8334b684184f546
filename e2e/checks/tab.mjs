// Checks of the Chromium end-to-end test (e2e/run.mjs).
import { join } from 'node:path';
import { appUrl, shots, pushCommit } from '../lib.mjs';

/**
 * The Deployments tab: environments, previews, the history's rows, delivery
 * performance, an application Resource's tab, a pushed commit pending then
 * deployed.
 */
export async function tabChecks({ page, check, signalsHeard }) {
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
}
