// Checks of the Chromium end-to-end test (e2e/run.mjs).
import { join } from 'node:path';
import { appUrl, shots } from '../lib.mjs';

/**
 * The suite in the portal: a quiet browser console, layouts at three widths,
 * the fleet page, search, and the scaffolder template.
 */
export async function portalChecks({ page, check, consoleProblems }) {
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
}
