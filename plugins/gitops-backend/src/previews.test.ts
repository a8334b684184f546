/**
 * Pull-request previews against the sandbox's Argo CD: an ApplicationSet
 * with a pull-request generator makes an application per open pull request
 * (README, "Previews"). The entity's page lists each under its previews
 * with the pull request the sandbox has open, never as an environment, in
 * the promotion order or the delivery metrics; a closed pull request's
 * preview goes with it, a new one comes.
 */
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  sandboxControllers,
  startSandbox,
} from '@gitops-portal/gitops-sandbox';
import { until } from '@gitops-portal/gitops-test-utils';
import request from 'supertest';
import { component } from './__testUtils__/catalogEntities';
import { startGitopsTestBackend } from './__testUtils__/testBackend';

jest.setTimeout(120_000);

describe('pull-request previews', () => {
  it('lists the previews of the pull requests open in the sandbox, apart from the promotion order and the metrics, and follows them opening and closing', async () => {
    const sb = await startSandbox({
      port: 0,
      commitEverySeconds: 0,
      syncSeconds: 2,
      autoMergeSeconds: 0,
    });
    const backend = await startGitopsTestBackend({
      // the real scheduler: the controller is read every second
      scheduler: 'real',
      entities: [component('checkout', 'group:default/team-checkout')],
      gitops: {
        pollIntervalSeconds: 1,
        ...sandboxControllers(sb.url, { argocd: ['main'] }),
      },
    });
    const api = request(backend.server);
    const auth = mockCredentials.user.header();
    const deployments = async () => {
      const res = await api
        .get('/api/gitops/entities/component/default/checkout/deployments')
        .set('authorization', auth);
      expect(res.status).toBe(200);
      return res.body;
    };
    /** The sandbox's open pull requests: what the page must show. */
    const open = () =>
      sb.pullRequests.list().map(pr => ({
        number: pr.number,
        title: pr.title,
        author: pr.author,
        url: `https://github.com/acme/checkout/pull/${pr.number}`,
        headSha: pr.headSha,
      }));
    const shown = (body: any) =>
      (body.previews ?? []).map((a: any) => a.preview.pullRequest);
    try {
      // two open when the sandbox starts
      expect(open().map(p => p.number)).toEqual([41, 42]);
      let body = await until(async () => {
        const b = await deployments();
        return shown(b).length === 2 &&
          b.previews.every((a: any) => a.syncStatus === 'Synced')
          ? b
          : undefined;
      }, 'two synced previews');
      // newest pull request first
      expect(shown(body)).toEqual([...open()].reverse());
      for (const a of body.previews) {
        expect(a.environment).toBe('preview');
        expect(a.preview.url).toBe(
          `https://checkout-pr-${a.preview.pullRequest.number}.preview.acme.example/`,
        );
        expect(Date.parse(a.preview.createdAt)).not.toBeNaN();
        // it runs the head of its pull request
        expect(a.revisions).toEqual([a.preview.pullRequest.headSha]);
        expect(a.applicationSet).toBe('checkout-previews');
      }
      // never an environment, nor a step of the promotion order
      // (the sandbox's instance `main` has dev and staging)
      expect(body.environments.map((e: any) => e.environment)).toEqual([
        'dev',
        'staging',
      ]);
      for (const step of body.promotion ?? [])
        expect(step.environment).not.toBe('preview');
      const metrics = await api
        .get(
          '/api/gitops/metrics/entities/component/default/checkout?environment=preview',
        )
        .set('authorization', auth);
      expect(metrics.status).toBe(400);
      expect(metrics.body.error.message).toMatch(/previews are not measured/);

      // pull request 41 closes: its preview goes; 43 opens: its comes
      sb.pullRequests.closePullRequest(41);
      sb.pullRequests.openPullRequest({
        number: 43,
        title: 'Saved carts',
        author: 'erin',
      });
      body = await until(async () => {
        const b = await deployments();
        const numbers = shown(b).map((p: any) => p.number);
        return numbers.join() === '43,42' ? b : undefined;
      }, 'the previews of 43 and 42');
      expect(shown(body)).toEqual([...open()].reverse());
      // its first deployment is in its history, a new commit
      const history = await until(async () => {
        const res = await api
          .get(
            '/api/gitops/entities/component/default/checkout/history?environment=preview',
          )
          .set('authorization', auth);
        return res.body.items?.find((d: any) =>
          d.applicationId.endsWith(':checkout-pr-43'),
        );
      }, "the first deployment of 43's preview");
      expect(history).toMatchObject({
        kind: 'new-commit',
        result: 'Succeeded',
        revisions: [open().find(p => p.number === 43)!.headSha],
      });
    } finally {
      await backend.stop();
      await sb.stop();
    }
  });
});
