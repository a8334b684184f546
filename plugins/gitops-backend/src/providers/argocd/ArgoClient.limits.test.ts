import http from 'node:http';
import { AddressInfo } from 'node:net';
import { argoApp } from '../../__fixtures__/argo';
import { ArgoClient } from './ArgoClient';

jest.setTimeout(60_000);

/**
 * An Argo CD whose application list is `totalBytes` long, written lazily in
 * 1 MB pieces as the client reads: the test never holds the whole list.
 */
async function hugeList(totalBytes: number) {
  let sent = 0;
  let closedEarly = false;
  const item = JSON.stringify(argoApp({ name: 'web', historyCount: 10 }));
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"metadata":{},"items":[');
    sent = 24;
    let first = true;
    const piece = () => {
      const parts: string[] = [];
      let size = 0;
      while (size < 1024 * 1024) {
        const part = `${first ? '' : ','}${item}`;
        first = false;
        parts.push(part);
        size += part.length;
      }
      return parts.join('');
    };
    const pump = () => {
      while (sent < totalBytes) {
        const chunk = piece();
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end(']}');
    };
    res.on('close', () => {
      if (sent < totalBytes) closedEarly = true;
    });
    pump();
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent: () => sent,
    closedEarly: () => closedEarly,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('ArgoClient answer size', () => {
  const client = (url: string, maxResponseBytes?: number) =>
    new ArgoClient({
      name: 'edge',
      url,
      uiUrl: url,
      token: 'argo-token',
      skipTLSVerify: false,
      timeoutMs: 30_000,
      maxResponseBytes,
    });

  it('stops reading a 100 MB list at the limit, with a clear error, holding no more than the limit', async () => {
    const argo = await hugeList(100 * 1024 * 1024);
    try {
      const heapBefore = process.memoryUsage().heapUsed;
      const error = await client(argo.url, 16 * 1024 * 1024)
        .listApplications()
        .catch(e => e);
      expect(error.message).toBe(
        "Argo CD 'edge' answered GET /api/v1/applications with more than 16 MB; the read was stopped. Raise maxResponseMegabytes for this instance, or split it with appNamespaces",
      );
      // the connection was dropped well before the 100 MB were written
      await new Promise(r => setTimeout(r, 200));
      expect(argo.closedEarly()).toBe(true);
      expect(argo.sent()).toBeLessThan(60 * 1024 * 1024);
      // and what was read is not kept
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(
        64 * 1024 * 1024,
      );
    } finally {
      argo.close();
    }
  });

  it('reads a list under the limit whole', async () => {
    const argo = await hugeList(3 * 1024 * 1024);
    try {
      const items = await client(argo.url).listApplications();
      expect(items.length).toBeGreaterThan(100);
      expect(items[0].metadata?.name).toBe('web');
    } finally {
      argo.close();
    }
  });
});
