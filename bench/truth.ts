// History you can trust, on the real portal: `npm start`'s sandbox fleet,
// backend and app run for TRUTH_MINUTES (default 20) while a user promotes
// the storefront to prod and rolls it back through the promotion API (the
// sandbox merges each proposal after 30 s, as a reviewer would), Helm
// releases are upgraded (values-only, a failed upgrade, its retry), syncs
// fail, Flux sources get new commits, and the demo fleet does what it does
// on its own (new commits, self-heals, canaries). Then what the backend
// stored (its audit export: every deployment with its kind and the commits
// it brought) is compared with what the sandbox did
// (`/sandbox/ground-truth`): a confusion table of expected kind × stored
// kind, the commits brought, and how many new-commit deployments were
// labelled self-heal (the bug of issue #24).
//
// `BENCH_ONLY=truth npm run bench`, or
// `node --require @backstage/cli/config/nodeTransform.cjs bench/truth.ts`.
// TRUTH_COMMIT_EVERY_SECONDS makes the demo fleet commit faster (the long
// soak: thousands of deployments). Ports 3000, 7007 and 7008 must be free.
// Prints a JSON line last.
import type { GroundTruthDeployment } from '@gitops-portal/gitops-sandbox';
import {
  StoredRow,
  compareWithTruth,
  confusionTable,
} from '../plugins/gitops-backend/src/__testUtils__/groundTruth';

const MINUTES = Number(process.env.TRUTH_MINUTES ?? 20);
const SETTLE_MS = 90_000;
const log = (m: string) => process.stderr.write(`[truth bench] ${m}\n`);

async function main() {
  const portal = await import('./portal.mjs');
  const { BACKEND, SANDBOX, sleep } = portal;
  const env: Record<string, string> = {};
  if (process.env.TRUTH_COMMIT_EVERY_SECONDS)
    env.SANDBOX_COMMIT_EVERY_SECONDS = process.env.TRUTH_COMMIT_EVERY_SECONDS;
  log(`starting the portal for ${MINUTES} minutes`);
  const child = portal.startPortal(env);
  try {
    await portal.waitUp(`${BACKEND}/api/gitops/health`, 300_000);
    const token = await portal.guestToken();
    const api = async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${BACKEND}/api/gitops${path}`, {
        ...init,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
        },
      });
      return { status: res.status, body: await res.json() };
    };
    const sandbox = (path: string, body: object) =>
      fetch(`${SANDBOX}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(r => r.status);
    const storefront = '/entities/component/default/storefront';
    for (let i = 0; i < 120; i++) {
      const res = await api(`${storefront}/deployments`);
      if (res.status === 200 && res.body.environments?.length === 3) break;
      await sleep(1000);
    }

    const start = new Date().toISOString();
    const stopAt = Date.now() + MINUTES * 60_000;
    const done: string[] = [];
    const propose = async (body: object) => {
      const res = await api(`${storefront}/changes`, {
        method: 'POST',
        body: JSON.stringify(body),
      });
      const what = `${JSON.stringify(body)} → ${res.status}${
        res.status === 200 ? '' : ` ${res.body.error?.message}`
      }`;
      done.push(what);
      log(what);
    };
    const helm = [
      { values: 'bench-a' },
      { values: 'bench-b', fail: true },
      { values: 'bench-b' },
    ];
    for (let minute = 0; Date.now() < stopAt; minute++) {
      if (minute % 4 === 1) {
        await propose({ action: 'promote', environment: 'prod' });
      }
      if (minute % 4 === 3) {
        // back to the revision prod ran before the one it runs
        const history = await api(
          `${storefront}/history?environment=prod&limit=50`,
        );
        const items: any[] = history.body.items ?? [];
        const running = items.find(d => d.result === 'Succeeded');
        const before = items.find(
          d =>
            d.result === 'Succeeded' &&
            d.revisions.join() !== running?.revisions.join(),
        );
        if (before)
          await propose({
            action: 'rollback',
            environment: 'prod',
            deploymentId: before.id,
          });
      }
      if (minute % 3 === 0) {
        const upgrade = helm[(minute / 3) % helm.length];
        done.push(
          `helm ${JSON.stringify(upgrade)} → ${await sandbox(
            '/sandbox/flux/helm-upgrade',
            upgrade,
          )}`,
        );
      }
      if (minute % 5 === 2)
        done.push(
          `fail next sync of checkout-dev → ${await sandbox(
            '/sandbox/fail-next-sync',
            { instance: 'main', name: 'checkout-dev' },
          )}`,
        );
      if (minute % 5 === 4)
        done.push(
          `flux push → ${await sandbox('/sandbox/flux/push', {
            repo: 'inventory',
          })}`,
        );
      await sleep(Math.min(60_000, Math.max(0, stopAt - Date.now())));
    }
    const end = new Date().toISOString();
    log(`stopped acting at ${end}; letting the backend read the rest`);
    await sleep(SETTLE_MS);

    const truth = (
      (await (await fetch(`${SANDBOX}/sandbox/ground-truth`)).json())
        .items as GroundTruthDeployment[]
    ).filter(t => t.finishedAt >= start && t.finishedAt <= end);
    const from = new Date(Date.parse(start) - 10_000).toISOString();
    const to = new Date(Date.parse(end) + 10_000).toISOString();
    const audit = await api(
      `/audit?${new URLSearchParams({ from, to }).toString()}`,
    );
    if (audit.status !== 200) throw new Error(`audit answered ${audit.status}`);
    const stored: StoredRow[] = audit.body.records
      .filter((r: any) => r.type === 'deployment')
      .map((r: any) => ({
        applicationId: r.application,
        revision: r.revision ?? '',
        finishedAt: r.at,
        result: r.result,
        kind: r.kind,
        commits: r.commits,
      }));
    const c = compareWithTruth(truth, stored);
    // a row just outside the window may be the read of a deployment outside it
    const inWindow = (at: string) =>
      Date.parse(at) >= Date.parse(start) + 10_000 &&
      Date.parse(at) <= Date.parse(end) - 10_000;
    const extra = c.extra.filter(s => inWindow(s.finishedAt));
    const withCommits = c.matched.filter(
      m => m.truth.commitsBrought !== undefined,
    );
    const commits = {
      known: withCommits.length,
      equal: withCommits.filter(
        m => m.stored.commits === m.truth.commitsBrought,
      ).length,
      differ: withCommits
        .filter(
          m =>
            m.stored.commits !== undefined &&
            m.stored.commits !== m.truth.commitsBrought,
        )
        .map(m => ({
          application: m.stored.applicationId,
          revision: m.truth.revision,
          expected: m.truth.commitsBrought,
          stored: m.stored.commits,
        })),
      notRead: withCommits.filter(m => m.stored.commits === undefined).length,
    };
    const table = confusionTable(c);
    log(`\n${table}`);
    const result = {
      measuredAt: new Date().toISOString(),
      minutes: MINUTES,
      commitEverySeconds: process.env.TRUTH_COMMIT_EVERY_SECONDS ?? 'demo',
      deployments: truth.length,
      missing: c.missing.length,
      extra: extra.length,
      mislabelled: c.mislabelled.length,
      newCommitAsSelfHeal: c.matched.filter(
        m => m.truth.kind === 'new-commit' && m.stored.kind === 'self-heal',
      ).length,
      commits,
      actions: done,
      table,
      details: {
        missing: c.missing.slice(0, 20),
        extra: extra.slice(0, 20),
        mislabelled: c.mislabelled.slice(0, 20),
      },
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await portal.stopPortal(child);
  }
}

main().then(
  () => process.exit(0),
  error => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  },
);
