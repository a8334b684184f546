// Checks of the Chromium end-to-end test (e2e/run.mjs).
import { join } from 'node:path';
import { appUrl, shots } from '../lib.mjs';

/**
 * What runs: images, self-heal, a hydrated application, a canary under way,
 * Flux's inventory, ApplicationSets, an unreachable controller.
 */
export async function whatRunsChecks({ page, check }) {
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
}
