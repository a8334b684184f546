// Checks of the Chromium end-to-end test (e2e/run.mjs).
import { join } from 'node:path';
import { appUrl, shots, pushCommit, mergeFleetBranch } from '../lib.mjs';

/**
 * The change flow: a promotion and a rollback through the fleet repository,
 * a soak hold, an automatic rollback proposal when a canary degrades.
 */
export async function changeChecks({ page, check }) {
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
}
