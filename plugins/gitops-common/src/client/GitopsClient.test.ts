import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GitopsClient } from './GitopsClient';

describe('GitopsClient', () => {
  let server: http.Server;
  let baseUrl: string;
  const seen: { method?: string; url?: string; auth?: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({
        method: req.method,
        url: req.url,
        auth: req.headers.authorization,
      });
      res.setHeader('content-type', 'application/json');
      if (req.url?.includes('/changes')) {
        res.statusCode = 409;
        res.end(
          JSON.stringify({
            error: { name: 'ConflictError', message: 'nothing to propose' },
            request: { method: req.method, url: req.url },
            response: { statusCode: 409 },
          }),
        );
        return;
      }
      res.end(JSON.stringify({ items: [], nextCursor: undefined }));
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise(r => server.close(r)));
  beforeEach(() => {
    seen.length = 0;
  });

  const discoveryApi = {
    getBaseUrl: async (pluginId: string) => `${baseUrl}/api/${pluginId}`,
  };

  it('reads the backend found by discovery, with the query in the spec style', async () => {
    const client = new GitopsClient({ discoveryApi });
    await client.getFleet({
      syncStatus: ['OutOfSync', 'Unknown'],
      text: 'a b&c',
      cursor: undefined,
      limit: 50,
    });
    expect(seen).toEqual([
      {
        method: 'GET',
        url: '/api/gitops/fleet?syncStatus=OutOfSync%2CUnknown&text=a+b%26c&limit=50',
        auth: undefined,
      },
    ]);
  });

  it('sends requests through the fetch it is given (a token added)', async () => {
    const client = new GitopsClient({
      discoveryApi,
      fetchApi: {
        fetch: (input, init) =>
          fetch(input, { ...init, headers: { authorization: 'Bearer t' } }),
      },
    });
    await client.getEntityDeployments({ kind: 'Component', name: 'a/b' });
    expect(seen).toEqual([
      {
        method: 'GET',
        url: '/api/gitops/entities/component/default/a%2Fb/deployments',
        auth: 'Bearer t',
      },
    ]);
  });

  it("tells the server's own words when it refuses", async () => {
    const client = new GitopsClient({ discoveryApi });
    await expect(
      client.proposeChange({ kind: 'Component', name: 'checkout' }, {
        kind: 'promotion',
        environment: 'prod',
      } as any),
    ).rejects.toMatchObject({
      name: 'ResponseError',
      message: 'nothing to propose',
      statusCode: 409,
    });
  });
});
