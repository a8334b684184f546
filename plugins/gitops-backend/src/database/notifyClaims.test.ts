import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseGitopsStore } from './DatabaseGitopsStore';
import { DatabaseEntityLinkStore } from './EntityLinkStore';
import { makeApplication } from '@gitops-portal/gitops-test-utils';
import { NewDeployment } from './GitopsStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'deployments to tell owners about (%s)',
  id => {
    it('claims each failed deployment, and the latest of a Degraded application, once, of claimed applications only', async () => {
      const knex = await databases.init(id);
      const written: string[][] = [];
      const store = await DatabaseGitopsStore.create({
        database: { getClient: async () => knex },
        onWrite: ids => written.push(ids),
      });
      const now = Date.now();
      const at = (minutesAgo: number) =>
        new Date(now - minutesAgo * 60_000).toISOString();
      const apps = [
        makeApplication({ name: 'checkout-prod', healthStatus: 'Degraded' }),
        makeApplication({ name: 'search-prod', healthStatus: 'Healthy' }),
        // no entity claims it: nobody to tell
        makeApplication({ name: 'orphan-prod', healthStatus: 'Degraded' }),
      ];
      await store.upsertApplications(apps);
      const [checkout, search, orphan] = apps.map(a => a.id);
      await new DatabaseEntityLinkStore(knex).replace([
        { entityRef: 'component:default/checkout', applicationId: checkout },
        { entityRef: 'component:default/search', applicationId: search },
      ]);
      const d = (
        applicationId: string,
        minutesAgo: number,
        result: 'Succeeded' | 'Failed',
        revision: string,
      ): NewDeployment => ({
        applicationId,
        dedupeKey: `${applicationId}@${minutesAgo}`,
        environment: 'prod',
        revisions: [revision.repeat(40)],
        finishedAt: at(minutesAgo),
        result,
        origin: 'controller-history',
      });
      await store.addDeployments([
        // long ago: outside the window
        d(checkout, 600, 'Failed', '1'),
        d(checkout, 30, 'Succeeded', '2'),
        // the latest of a Degraded application
        d(checkout, 10, 'Succeeded', '3'),
        d(search, 20, 'Failed', '4'),
        d(search, 5, 'Succeeded', '5'),
        d(orphan, 5, 'Failed', '6'),
      ]);
      // what changed was told, once the write committed
      expect(new Set(written.flat())).toEqual(
        new Set([checkout, search, orphan]),
      );
      const since = at(120);
      const [first, second] = await Promise.all([
        store.claimDeploymentsToNotify({ since }),
        store.claimDeploymentsToNotify({ since }),
      ]);
      const claimed = [...first, ...second].map(
        x => `${x.applicationId}:${x.revisions[0][0]}:${x.result}`,
      );
      expect(claimed.sort()).toEqual(
        [`${checkout}:3:Succeeded`, `${search}:4:Failed`].sort(),
      );
      expect(await store.claimDeploymentsToNotify({ since })).toEqual([]);
    });
  },
);
