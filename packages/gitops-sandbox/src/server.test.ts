import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';

const exec = promisify(execFile);
import { startSandbox, SANDBOX_TOKEN, SANDBOX_K8S_TOKEN } from './server';
import {
  validateArgo,
  validateFlux,
  validateWorkload,
} from '@gitops-portal/gitops-contracts';

jest.setTimeout(30_000);

describe('sandbox Argo CD API', () => {
  let sb: Awaited<ReturnType<typeof startSandbox>>;
  // the sandbox's clock: real time, or frozen and stepped by a test (and
  // going on from there when thawed, never back)
  let offset = 0;
  let frozenAt: number | undefined;
  const clock = () => frozenAt ?? Date.now() + offset;
  const freeze = () => {
    frozenAt = clock();
  };
  const step = (ms: number) => {
    frozenAt = clock() + ms;
  };
  const thaw = () => {
    offset = clock() - Date.now();
    frozenAt = undefined;
  };
  beforeAll(async () => {
    sb = await startSandbox({
      port: 0,
      commitEverySeconds: 0,
      syncSeconds: 2,
      // the Argo CD sandbox's clock, stepped by the tests that need stages
      now: clock,
    });
  });
  afterAll(() => sb.stop());

  const get = (path: string, token = SANDBOX_TOKEN) =>
    fetch(`${sb.url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });

  it('lists applications that validate against the Argo CD contract', async () => {
    for (const instance of ['main', 'prod']) {
      const res = await get(`/argocd/${instance}/api/v1/applications`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(validateArgo('v1alpha1ApplicationList', body)).toEqual([]);
      expect(body.items.length).toBeGreaterThan(3);
    }
  });

  it('filters the list by label selector and name, as Argo CD does', async () => {
    const res = await get(
      `/argocd/main/api/v1/applications?selector=${encodeURIComponent(
        'app.kubernetes.io/name=checkout,environment=dev',
      )}`,
    );
    const body = await res.json();
    expect(validateArgo('v1alpha1ApplicationList', body)).toEqual([]);
    expect(body.items.map((a: any) => a.metadata.name)).toEqual([
      'checkout-dev',
    ]);
    const named = await (
      await get('/argocd/main/api/v1/applications?name=payments-dev')
    ).json();
    expect(named.items.map((a: any) => a.metadata.name)).toEqual([
      'payments-dev',
    ]);
  });

  it('logs in with a session and refuses bad credentials', async () => {
    const bad = await fetch(`${sb.url}/argocd/main/api/v1/session`, {
      method: 'POST',
      body: JSON.stringify({ username: 'admin', password: 'nope' }),
    });
    expect(bad.status).toBe(401);
    const ok = await fetch(`${sb.url}/argocd/main/api/v1/session`, {
      method: 'POST',
      body: JSON.stringify({ username: 'admin', password: 'sandbox' }),
    });
    const session = await ok.json();
    expect(validateArgo('sessionSessionResponse', session)).toEqual([]);
    expect(
      (await get('/argocd/main/api/v1/applications', session.token)).status,
    ).toBe(200);
    const denied = await get('/argocd/main/api/v1/applications', 'wrong');
    expect(denied.status).toBe(401);
    expect(validateArgo('runtimeError', await denied.json())).toEqual([]);
  });

  it('rolls a pushed commit out: out of sync, progressing, then synced with history rotated at 10', async () => {
    // frozen: the background ticker moves nothing while the test steps
    freeze();
    try {
      await rollOut();
    } finally {
      thaw();
    }
  });

  async function rollOut() {
    const pushed = sb.sandbox.push({ name: 'checkout-dev' });
    expect(pushed).toBeDefined();
    const read = async () =>
      (await get('/argocd/main/api/v1/applications/checkout-dev')).json();
    let app = await read();
    expect(validateArgo('v1alpha1Application', app)).toEqual([]);
    expect(app.status.sync).toMatchObject({
      status: 'OutOfSync',
      revision: pushed!.revision,
    });
    step(1500);
    sb.sandbox.tick();
    app = await read();
    expect(app.status.health.status).toBe('Progressing');
    expect(app.status.operationState.phase).toBe('Running');
    step(2100);
    sb.sandbox.tick();
    app = await read();
    expect(validateArgo('v1alpha1Application', app)).toEqual([]);
    expect(app.status.sync.status).toBe('Synced');
    expect(app.status.history.at(-1).revision).toBe(pushed!.revision);
    expect(app.status.history.length).toBeLessThanOrEqual(10);
  }

  it('serves revision metadata: the real commit for sandbox repositories', async () => {
    const app = sb.sandbox.application('main', 'checkout-dev')!;
    const revision = app.status.history.at(-1)!.revision!;
    const res = await get(
      `/argocd/main/api/v1/applications/checkout-dev/revisions/${revision}/metadata`,
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(validateArgo('v1alpha1RevisionMetadata', body)).toEqual([]);
    expect(body.author).toMatch(
      /^[A-Z][a-z]+ [A-Z][a-z]+ <[a-z]+@example\.com>$/,
    );
    expect(body.message).toMatch(/^[a-z]+: .+ \(#\d+\)$/);
    expect(
      (
        await get(
          '/argocd/main/api/v1/applications/nope/revisions/abc/metadata',
        )
      ).status,
    ).toBe(404);
  });

  it('syncs on request and answers 404 for unknown apps', async () => {
    const res = await fetch(
      `${sb.url}/argocd/prod/api/v1/applications/payments-prod/sync`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${SANDBOX_TOKEN}` },
        body: JSON.stringify({ name: 'payments-prod', appNamespace: 'argocd' }),
      },
    );
    expect(res.status).toBe(200);
    expect((await res.json()).status.operationState.phase).toBe('Running');
    const missing = await get('/argocd/prod/api/v1/applications/nope');
    expect(missing.status).toBe(404);
    expect(validateArgo('runtimeError', await missing.json())).toEqual([]);
  });

  it("streams application events as Argo CD's watch does: ADDED for each, then MODIFIED", async () => {
    const listed = await (await get('/argocd/main/api/v1/applications')).json();
    const controller = new AbortController();
    const res = await fetch(
      `${sb.url}/argocd/main/api/v1/stream/applications`,
      {
        headers: { authorization: `Bearer ${SANDBOX_TOKEN}` },
        signal: controller.signal,
      },
    );
    expect(res.status).toBe(200);
    const events: any[] = [];
    let pushed: { name: string } | undefined;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as any) {
        buffer += decoder.decode(chunk, { stream: true });
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          const event = JSON.parse(line).result;
          expect(validateArgo('v1alpha1ApplicationWatchEvent', event)).toEqual(
            [],
          );
          events.push(event);
        }
        const added = events.filter(e => e.type === 'ADDED').length;
        if (!pushed && added > 3)
          pushed = sb.sandbox.push({ instance: 'main' });
        const name = pushed?.name;
        if (
          name &&
          events.some(
            e =>
              e.type === 'MODIFIED' &&
              e.application.metadata.name === name &&
              e.application.status.sync.status === 'OutOfSync',
          )
        )
          break;
      }
    } finally {
      controller.abort();
    }
    // the stream started with every application of the instance
    const added = new Set(
      events
        .filter(e => e.type === 'ADDED')
        .map(e => e.application.metadata.name),
    );
    for (const app of listed.items) expect(added).toContain(app.metadata.name);
    expect(pushed).toBeDefined();
  });

  it("serves checkout's pull-request previews: an ApplicationSet with a pull-request generator, a preview per open pull request, gone when it closes", async () => {
    const sets = await (
      await get('/argocd/main/api/v1/applicationsets')
    ).json();
    expect(validateArgo('v1alpha1ApplicationSetList', sets)).toEqual([]);
    const previews = sets.items.find(
      (s: any) => s.metadata.name === 'checkout-previews',
    );
    expect(previews.spec.generators[0].pullRequest.github).toEqual({
      owner: 'acme',
      repo: 'checkout',
    });
    const app = async (name: string) => {
      const res = await get(`/argocd/main/api/v1/applications/${name}`);
      return res.status === 200 ? res.json() : undefined;
    };
    const pr41 = await app('checkout-pr-41');
    expect(validateArgo('v1alpha1Application', pr41)).toEqual([]);
    expect(pr41.metadata.annotations).toMatchObject({
      'gitops-portal.io/preview-pull-request': '41',
      'gitops-portal.io/preview-title': 'Gift cards at checkout',
      'gitops-portal.io/preview-author': 'dana',
    });
    expect(pr41.metadata.ownerReferences[0].name).toBe('checkout-previews');
    // the preview runs its pull request's head
    const head = pr41.metadata.annotations['gitops-portal.io/preview-head-sha'];
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(pr41.spec.source.targetRevision).toBe(head);
    expect(await app('checkout-pr-42')).toBeDefined();

    const post = (body: object) =>
      fetch(`${sb.url}/sandbox/pull-requests`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ number: 41, state: 'closed' })).status).toBe(200);
    expect(await app('checkout-pr-41')).toBeUndefined();
    expect((await post({ number: 41, state: 'closed' })).status).toBe(404);
    expect((await post({ number: 'x' })).status).toBe(400);
    expect(
      (await post({ number: 43, title: 'Saved carts', author: 'erin' })).status,
    ).toBe(200);
    const pr43 = await app('checkout-pr-43');
    expect(pr43.metadata.annotations['gitops-portal.io/preview-title']).toBe(
      'Saved carts',
    );
    expect(Date.parse(pr43.metadata.creationTimestamp)).toBeGreaterThan(
      Date.now() - 60_000,
    );
    const listed = await (await get('/sandbox/pull-requests')).json();
    expect(listed.items.map((p: any) => p.number)).toEqual([42, 43]);
    await post({ number: 43, state: 'closed' });
  });

  it('serves Helm repository indexes', async () => {
    const res = await fetch(`${sb.url}/charts/podinfo/index.yaml`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('version: 6.7.0');
    expect((await fetch(`${sb.url}/charts/nope/index.yaml`)).status).toBe(404);
  });

  it('takes an instance down and back up on request', async () => {
    const list = () =>
      fetch(`${sb.url}/argocd/prod/api/v1/applications`, {
        headers: { authorization: `Bearer ${SANDBOX_TOKEN}` },
      });
    expect((await list()).status).toBe(200);
    const down = await fetch(`${sb.url}/sandbox/down`, {
      method: 'POST',
      body: JSON.stringify({ instance: 'prod' }),
    });
    expect(await down.json()).toEqual({ down: ['prod'] });
    expect((await list()).status).toBe(503);
    await fetch(`${sb.url}/sandbox/down`, {
      method: 'POST',
      body: JSON.stringify({ instance: 'prod', down: false }),
    });
    expect((await list()).status).toBe(200);
  });

  it('simulates an instance that is down', async () => {
    const down = await startSandbox({
      port: 0,
      commitEverySeconds: 0,
      downInstances: ['prod'],
    });
    try {
      const res = await fetch(`${down.url}/argocd/prod/api/v1/applications`, {
        headers: { authorization: `Bearer ${SANDBOX_TOKEN}` },
      });
      expect(res.status).toBe(503);
    } finally {
      await down.stop();
    }
  });
});

describe('sandbox Kubernetes API for Flux', () => {
  let sb: Awaited<ReturnType<typeof startSandbox>>;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, commitEverySeconds: 0, syncSeconds: 1 });
  });
  afterAll(() => sb.stop());

  const k8s = (path: string, init: RequestInit = {}) =>
    fetch(`${sb.url}/k8s${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${SANDBOX_K8S_TOKEN}`,
        ...init.headers,
      },
    });

  it('serves Flux objects that validate against the Flux CRDs', async () => {
    let count = 0;
    for (const cluster of ['flux-dev', 'flux-prod']) {
      for (const path of [
        'kustomize.toolkit.fluxcd.io/v1/kustomizations',
        'helm.toolkit.fluxcd.io/v2/helmreleases',
        'source.toolkit.fluxcd.io/v1/gitrepositories',
        'source.toolkit.fluxcd.io/v1/helmrepositories',
      ]) {
        const res = await k8s(`/${cluster}/apis/${path}`);
        expect(res.status).toBe(200);
        const list = await res.json();
        for (const item of list.items) {
          expect(validateFlux(item)).toEqual([]);
          count += 1;
        }
      }
    }
    expect(count).toBeGreaterThan(8);
    // and the CRD check can fail
    expect(
      validateFlux({
        apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
        kind: 'Kustomization',
        spec: { interval: '1m', prune: true },
      } as any),
    ).not.toEqual([]);
  });

  it('serves the Deployments that Flux inventories name, valid apps/v1 objects', async () => {
    const res = await k8s('/flux-dev/apis/apps/v1/deployments');
    expect(res.status).toBe(200);
    const list = await res.json();
    expect(list.kind).toBe('DeploymentList');
    for (const d of list.items) expect(validateWorkload(d)).toEqual([]);
    const byNs = Object.fromEntries(
      list.items.map((d: any) => [d.metadata.namespace, d]),
    );
    // each Kustomization's inventory names the Deployment served
    const ks = await (
      await k8s('/flux-dev/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations')
    ).json();
    for (const k of ks.items) {
      const ref = k.status.inventory.entries.find((e: any) =>
        e.id.endsWith('_apps_Deployment'),
      );
      const [ns, name] = ref.id.split('_');
      expect(byNs[ns].metadata.name).toBe(name);
    }
    // the failing Kustomization's Deployment is stuck past its deadline
    expect(
      byNs['inventory-staging'].status.conditions.find(
        (c: any) => c.type === 'Progressing',
      ).reason,
    ).toBe('ProgressDeadlineExceeded');
    expect(
      byNs['inventory-dev'].spec.template.spec.containers[0].image,
    ).toMatch(/^ghcr\.io\/gitops-portal\/inventory:[0-9a-f]{7}$/);
    const prod = await (
      await k8s('/flux-prod/apis/apps/v1/namespaces/podinfo/deployments')
    ).json();
    expect(prod.items[0].spec.template.spec.containers[0].image).toBe(
      'ghcr.io/stefanprodan/podinfo:6.6.1',
    );
    // and the schema check can fail
    expect(
      validateWorkload({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        spec: {},
      } as any),
    ).not.toEqual([]);
  });

  it('serves more clusters on request', async () => {
    const more = await startSandbox({
      port: 0,
      commitEverySeconds: 0,
      git: false,
      extraClusters: 2,
    });
    try {
      expect(more.flux.clusters()).toEqual([
        'flux-dev',
        'flux-prod',
        'flux-0',
        'flux-1',
      ]);
      const res = await fetch(
        `${more.url}/k8s/flux-1/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations`,
        { headers: { authorization: `Bearer ${SANDBOX_K8S_TOKEN}` } },
      );
      const body = await res.json();
      expect(body.items.map((k: any) => k.metadata.name)).toEqual([
        'inventory-1',
      ]);
      for (const item of body.items) expect(validateFlux(item)).toEqual([]);
    } finally {
      await more.stop();
    }
  });

  it('rolls a pushed commit out and takes merge patches', async () => {
    const [pushed] = sb.flux.push({ cluster: 'flux-dev', repo: 'inventory' });
    expect(pushed.revision).toMatch(/^main@sha1:[0-9a-f]{40}$/);
    await new Promise(r => setTimeout(r, 1100));
    sb.flux.tick();
    const k = await (
      await k8s(
        '/flux-dev/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/inventory-dev',
      )
    ).json();
    expect(validateFlux(k)).toEqual([]);
    expect(k.status.lastAppliedRevision).toBe(pushed.revision);
    const patched = await k8s(
      '/flux-dev/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/inventory-dev',
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/merge-patch+json' },
        body: JSON.stringify({ spec: { suspend: true } }),
      },
    );
    expect((await patched.json()).spec.suspend).toBe(true);
    expect(
      (
        await k8s(
          '/flux-dev/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations',
          { headers: { authorization: 'Bearer nope' } },
        )
      ).status,
    ).toBe(401);
  });

  it('watches as the API server does: versioned objects, replay from a resourceVersion, 410 Gone once compacted', async () => {
    const path =
      '/flux-dev/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations';
    const list = await (await k8s(path)).json();
    expect(list.metadata.resourceVersion).toMatch(/^\d+$/);
    for (const item of list.items) {
      expect(item.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(Number(item.metadata.resourceVersion)).toBeLessThanOrEqual(
        Number(list.metadata.resourceVersion),
      );
    }
    // (resumed: the test before suspends it)
    await k8s(`${path}/inventory-dev`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ spec: { suspend: false } }),
    });
    // a change after the list is replayed to a watch from the list's version
    const [pushed] = sb.flux.push({ cluster: 'flux-dev', repo: 'inventory' });
    sb.flux.tick();
    const watched = await k8s(
      `${path}?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=2`,
    );
    expect(watched.status).toBe(200);
    const events = (await watched.text())
      .trim()
      .split('\n')
      .map(line => JSON.parse(line));
    const modified = events
      .filter(
        e =>
          e.type === 'MODIFIED' && e.object.metadata.name === 'inventory-dev',
      )
      .pop();
    expect(validateFlux(modified.object)).toEqual([]);
    expect(modified.object.status.lastAttemptedRevision).toBe(pushed.revision);
    expect(Number(modified.object.metadata.resourceVersion)).toBeGreaterThan(
      Number(list.metadata.resourceVersion),
    );
    // once compacted, a watch from that version is told to list again
    sb.compactWatches();
    const gone = (
      await (
        await k8s(
          `${path}?watch=true&resourceVersion=${list.metadata.resourceVersion}`,
        )
      ).text()
    )
      .trim()
      .split('\n')
      .map(line => JSON.parse(line));
    expect(gone).toEqual([
      expect.objectContaining({
        type: 'ERROR',
        object: expect.objectContaining({ code: 410, reason: 'Expired' }),
      }),
    ]);
  });
});

describe('sandbox Git repositories', () => {
  let sb: Awaited<ReturnType<typeof startSandbox>>;
  beforeAll(async () => {
    sb = await startSandbox({ port: 0, commitEverySeconds: 0, syncSeconds: 1 });
  });
  afterAll(() => sb.stop());

  it('runs the storefront from the fleet repository; a merged proposal moves its pinned environment', async () => {
    const prodAt = () =>
      sb.sandbox.application('prod', 'storefront-prod')?.status.sync.revision;
    const pinned = sb.git!.at('storefront', 11);
    for (let i = 0; i < 50 && prodAt() !== pinned; i++) {
      await new Promise(r => setTimeout(r, 200));
    }
    expect(prodAt()).toBe(pinned);
    // the portal pushes a proposal branch over smart HTTP
    const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'sandbox-fleet-'));
    await exec('git', ['clone', '--quiet', `${sb.url}/git/fleet.git`, dir]);
    const file = nodePath.join(dir, 'apps/storefront/prod.yaml');
    const target = sb.git!.at('storefront', 14);
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace(pinned, target),
    );
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 'Portal',
      GIT_AUTHOR_EMAIL: 'p@example.com',
      GIT_COMMITTER_NAME: 'Portal',
      GIT_COMMITTER_EMAIL: 'p@example.com',
    };
    await exec('git', ['checkout', '--quiet', '-b', 'gitops/promote-prod-1'], {
      cwd: dir,
    });
    await exec('git', ['commit', '--quiet', '-am', 'Promote storefront'], {
      cwd: dir,
      env,
    });
    await exec('git', ['push', '--quiet', 'origin', 'gitops/promote-prod-1'], {
      cwd: dir,
    });
    const listed = await fetch(`${sb.url}/sandbox/git/branches?repo=fleet`);
    expect((await listed.json()).branches).toEqual(['gitops/promote-prod-1']);
    // nothing moves until it is merged
    expect(prodAt()).toBe(pinned);
    const merged = await fetch(`${sb.url}/sandbox/git/merge`, {
      method: 'POST',
      body: JSON.stringify({ repo: 'fleet', branch: 'gitops/promote-prod-1' }),
    });
    expect(merged.status).toBe(200);
    expect(sb.git!.branches('fleet')).toEqual([]);
    for (let i = 0; i < 50 && prodAt() !== target; i++) {
      await new Promise(r => setTimeout(r, 200));
    }
    expect(prodAt()).toBe(target);
    const again = await fetch(`${sb.url}/sandbox/git/merge`, {
      method: 'POST',
      body: JSON.stringify({ repo: 'fleet', branch: 'gitops/promote-prod-1' }),
    });
    expect(again.status).toBe(404);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves real repositories over smart HTTP whose commits are the deployed revisions', async () => {
    const dir = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'sandbox-clone-'));
    await exec('git', ['clone', '--quiet', `${sb.url}/git/checkout.git`, dir]);
    const log = (
      await exec('git', ['log', '--format=%H %s'], { cwd: dir })
    ).stdout
      .trim()
      .split('\n');
    expect(log.length).toBe(16);
    const app = sb.sandbox.application('main', 'checkout-dev')!;
    const deployed = app.status.history.at(-1)!.revision!;
    expect(log.map(l => l.split(' ')[0])).toContain(deployed);

    // a push makes a real commit that dev then rolls out
    const pushed = sb.sandbox.push({ name: 'checkout-dev' })!;
    await exec('git', ['pull', '--quiet'], { cwd: dir });
    expect(
      (await exec('git', ['rev-parse', 'HEAD'], { cwd: dir })).stdout.trim(),
    ).toBe(pushed.revision);

    const flux = sb.flux
      .list('flux-dev', 'GitRepository')
      .find(r => r.metadata.name === 'inventory')!;
    const fluxSha = flux.status.artifact.revision.replace('main@sha1:', '');
    const inv = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'sandbox-inv-'));
    await exec('git', ['clone', '--quiet', `${sb.url}/git/inventory.git`, inv]);
    expect(
      (
        await exec('git', ['cat-file', '-t', fluxSha], { cwd: inv })
      ).stdout.trim(),
    ).toBe('commit');
  });
});

describe('sandbox notifications', () => {
  it('sends signed Flux events and Argo CD notifications when rollouts finish', async () => {
    const received: {
      path: string;
      headers: http.IncomingHttpHeaders;
      body: string;
    }[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', c => (body += c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(202).end('{}');
      });
    });
    await new Promise<void>(r => receiver.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as AddressInfo).port;
    const sb = await startSandbox({
      port: 0,
      commitEverySeconds: 0,
      syncSeconds: 1,
      git: false,
      notify: {
        backendUrl: `http://127.0.0.1:${port}/api/gitops`,
        fluxHmacKey: 'k',
        argocdToken: 't',
      },
    });
    try {
      sb.sandbox.push({ name: 'checkout-dev' });
      sb.flux.push({ cluster: 'flux-dev', repo: 'inventory' });
      for (let i = 0; i < 40 && received.length < 3; i++) {
        await new Promise(r => setTimeout(r, 200));
      }
      const argo = received.find(
        r => r.path === '/api/gitops/webhooks/argocd',
      )!;
      expect(argo.headers['x-gitops-token']).toBe('t');
      expect(JSON.parse(argo.body)).toMatchObject({
        instance: 'main',
        app: { name: 'checkout-dev' },
        operation: { phase: 'Succeeded' },
      });
      const flux = received.find(
        r => r.path === '/api/gitops/webhooks/flux/flux-dev',
      )!;
      const expected = createHmac('sha256', 'k')
        .update(flux.body)
        .digest('hex');
      expect(flux.headers['x-signature']).toBe(`sha256=${expected}`);
      expect(JSON.parse(flux.body)).toMatchObject({
        involvedObject: { kind: 'Kustomization' },
        metadata: { revision: expect.stringMatching(/^main@sha1:/) },
      });
    } finally {
      await sb.stop();
      receiver.close();
    }
  });
});
