import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ArgoInstanceConfig } from '../../config';
import { ArgoClient } from './ArgoClient';

/**
 * A real HTTPS server with a self-signed certificate: TLS settings are per
 * instance — its CA trusted for one instance only, never process wide.
 */
describe('ArgoClient TLS per instance', () => {
  let server: https.Server;
  let url: string;
  let ca: string;

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argo-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    ca = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    server = https.createServer(
      { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: ca },
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            metadata: {},
            items: [{ metadata: { name: 'tls-app', namespace: 'argocd' } }],
          }),
        );
      },
    );
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());

  const instance = (
    extra: Partial<ArgoInstanceConfig>,
  ): ArgoInstanceConfig => ({
    name: 'tls',
    url,
    uiUrl: url,
    token: 't',
    skipTLSVerify: false,
    timeoutMs: 5000,
    ...extra,
  });

  it('trusts the CA given for this instance', async () => {
    const apps = await new ArgoClient(
      instance({ caData: ca }),
    ).listApplications();
    expect(apps.map(a => a.metadata?.name)).toEqual(['tls-app']);
  });

  it('rejects the self-signed certificate without it, and another instance is not affected', async () => {
    await expect(
      new ArgoClient(instance({})).listApplications(),
    ).rejects.toThrow(/unreachable/);
    // the first client's CA did not leak into the process
    expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).toBeUndefined();
  });

  it('skips verification only for the instance that asks', async () => {
    const apps = await new ArgoClient(
      instance({ skipTLSVerify: true }),
    ).listApplications();
    expect(apps).toHaveLength(1);
    await expect(
      new ArgoClient(instance({})).listApplications(),
    ).rejects.toThrow(/unreachable/);
  });
});
