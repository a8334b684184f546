import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { loadConfigSchema } from '@backstage/config-loader';
import path from 'node:path';
import { readGitopsConfig } from './config';

const instance = (extra: object) => ({
  gitops: {
    argocd: { instances: [{ name: 'main', url: 'https://argo', ...extra }] },
  },
});

describe('readGitopsConfig', () => {
  it('reads promotion settings and rules, and refuses bad ones by name', () => {
    const read = (promotion: object) =>
      readGitopsConfig(new ConfigReader({ gitops: { promotion } })).promotion;
    expect(read({})).toMatchObject({
      fleetBranch: 'main',
      allowDirect: false,
      rules: [],
      trackIntervalSeconds: 30,
    });
    const { rules } = read({
      fleetRepo: 'https://github.com/acme/fleet',
      rules: [
        { selector: 'team in (a,b)', shape: 'manifest' },
        {
          environments: ['prod'],
          shape: 'helm-values',
          file: 'values.yaml',
          key: 'image.tag',
        },
      ],
    });
    expect(rules[0].selector).toEqual([
      { key: 'team', operator: 'In', values: ['a', 'b'] },
    ]);
    expect(rules[1].rule).toEqual({
      environments: ['prod'],
      shape: 'helm-values',
      file: 'values.yaml',
      key: 'image.tag',
    });
    expect(() => read({ mode: 'direct' })).toThrow(
      'gitops.promotion.mode is direct but gitops.promotion.allowDirect is not true',
    );
    expect(() =>
      read({ rules: [{ shape: 'helm-values', file: 'v.yaml' }] }),
    ).toThrow(
      'gitops.promotion.rules[0]: helm-values needs file=<values file> and key=<key>',
    );
    expect(() => read({ rules: [{ shape: 'manifest', image: 'x' }] })).toThrow(
      "gitops.promotion.rules[0]: 'image' is not a setting of the manifest shape",
    );
    expect(read({ soakMinutes: { prod: 30 } }).soakMinutes).toEqual({
      prod: 30,
    });
    expect(() => read({ soakMinutes: { prod: -5 } })).toThrow(
      'gitops.promotion.soakMinutes.prod must be a positive number, not -5',
    );
  });

  it('reads the ingestion shards, and refuses a bad count by name', () => {
    expect(readGitopsConfig(new ConfigReader({})).ingestionShards).toBe(
      undefined,
    );
    expect(
      readGitopsConfig(new ConfigReader({ gitops: { ingestionShards: 8 } }))
        .ingestionShards,
    ).toBe(8);
    for (const bad of [0, 2.5, -1]) {
      expect(() =>
        readGitopsConfig(
          new ConfigReader({ gitops: { ingestionShards: bad } }),
        ),
      ).toThrow(/gitops.ingestionShards must be a whole number of at least 1/);
    }
  });

  it('reads instances with defaults', () => {
    const settings = readGitopsConfig(
      new ConfigReader(instance({ token: 't' })),
    );
    expect(settings).toMatchObject({
      pollIntervalSeconds: 30,
      argocd: [
        {
          name: 'main',
          url: 'https://argo',
          uiUrl: 'https://argo',
          timeoutMs: 20000,
          skipTLSVerify: false,
        },
      ],
    });
  });

  it.each([
    [{}, /set either token, or username and password/],
    [{ token: 't', username: 'u', password: 'p' }, /not both/],
    [{ token: 't', url: 'not a url' }, /is not a valid URL/],
  ])('fails early on %j', (extra, message) => {
    expect(() => readGitopsConfig(new ConfigReader(instance(extra)))).toThrow(
      message,
    );
  });

  it('reads Flux clusters, also from the Kubernetes plugin config when asked', () => {
    const config = new ConfigReader({
      gitops: {
        flux: {
          useKubernetesConfig: true,
          clusters: [
            { name: 'own', url: 'https://own:6443', serviceAccountToken: 't1' },
          ],
        },
      },
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: 'shared',
                url: 'https://shared:6443',
                authProvider: 'serviceAccount',
                serviceAccountToken: 't2',
                caData: 'Q0E=',
              },
              { name: 'oidc', url: 'https://oidc:6443', authProvider: 'oidc' },
              {
                name: 'own',
                url: 'https://duplicate:6443',
                serviceAccountToken: 't3',
              },
            ],
          },
          { type: 'catalog' },
        ],
      },
    });
    expect(readGitopsConfig(config).flux).toEqual([
      {
        name: 'own',
        url: 'https://own:6443',
        token: 't1',
        caData: undefined,
        skipTLSVerify: false,
        namespaces: undefined,
      },
      {
        name: 'shared',
        url: 'https://shared:6443',
        token: 't2',
        caData: 'Q0E=',
        skipTLSVerify: false,
        namespaces: undefined,
      },
    ]);
    // without the switch, only its own clusters
    const own = new ConfigReader({
      gitops: { flux: { clusters: [{ name: 'a', url: 'https://a' }] } },
      kubernetes: config.getConfig('kubernetes').get() as any,
    });
    expect(readGitopsConfig(own).flux.map(c => c.name)).toEqual(['a']);
  });

  it('rejects two instances with one name', () => {
    const config = new ConfigReader({
      gitops: {
        argocd: {
          instances: [
            { name: 'a', url: 'https://a', token: 't' },
            { name: 'a', url: 'https://b', token: 't' },
          ],
        },
      },
    });
    expect(() => readGitopsConfig(config)).toThrow(/used twice/);
  });

  it('reads the Roadie/community argocd.appLocatorMethods config unchanged, with a deprecation note', () => {
    const logger = mockServices.logger.mock();
    // as in the README of @roadiehq/backstage-plugin-argo-cd-backend
    const roadie = new ConfigReader({
      argocd: {
        username: 'admin',
        password: 'pw',
        waitCycles: 25,
        appLocatorMethods: [
          {
            type: 'config',
            instances: [
              { name: 'argoInstance1', url: 'https://argo1.example.com/' },
              {
                name: 'argoInstance2',
                url: 'https://argo2.example.com',
                token: 'tok',
              },
              {
                name: 'argoInstance3',
                url: 'https://argo3.example.com',
                username: 'u3',
                password: 'p3',
              },
            ],
          },
        ],
      },
    });
    const { argocd } = readGitopsConfig(roadie, { logger });
    expect(
      argocd.map(({ name, url, token, username, password }) => ({
        name,
        url,
        token,
        username,
        password,
      })),
    ).toEqual([
      {
        name: 'argoInstance1',
        url: 'https://argo1.example.com',
        token: undefined,
        username: 'admin',
        password: 'pw',
      },
      {
        name: 'argoInstance2',
        url: 'https://argo2.example.com',
        token: 'tok',
        username: undefined,
        password: undefined,
      },
      {
        name: 'argoInstance3',
        url: 'https://argo3.example.com',
        token: undefined,
        username: 'u3',
        password: 'p3',
      },
    ]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(/deprecated: move them to gitops.argocd.instances/),
    );
  });

  it('prefers gitops.argocd over the Roadie config and reports bad Roadie entries by their path', () => {
    const both = new ConfigReader({
      ...instance({ token: 't' }),
      argocd: {
        appLocatorMethods: [
          { type: 'config', instances: [{ name: 'x', url: 'https://x' }] },
        ],
      },
    });
    expect(readGitopsConfig(both).argocd.map(i => i.name)).toEqual(['main']);
    expect(() =>
      readGitopsConfig(
        new ConfigReader({
          argocd: {
            appLocatorMethods: [
              { type: 'config', instances: [{ name: 'x', url: 'https://x' }] },
            ],
          },
        }),
      ),
    ).toThrow(
      /argocd.appLocatorMethods.instances 'x': set either token, or username and password/,
    );
  });

  it('keeps tokens, passwords and CA data out of the frontend config', async () => {
    const schema = await loadConfigSchema({
      dependencies: ['@gitops-portal/plugin-gitops-backend'],
      packagePaths: [path.resolve(__dirname, '../package.json')],
    });
    const data = {
      gitops: {
        argocd: {
          instances: [
            {
              name: 'main',
              url: 'https://argo',
              token: 'SECRET-TOKEN',
              username: 'u',
              password: 'SECRET-PASSWORD',
              caData: 'SECRET-CA',
            },
          ],
        },
      },
      argocd: {
        password: 'SECRET-ROADIE-PASSWORD',
        appLocatorMethods: [
          {
            type: 'config',
            instances: [
              { name: 'a', url: 'https://a', token: 'SECRET-ROADIE-TOKEN' },
            ],
          },
        ],
      },
    };
    const secret = schema.process([{ data, context: 'test' }], {
      visibility: ['secret'],
      ignoreSchemaErrors: true,
      valueTransform: (value, { visibility }) =>
        visibility === 'secret' ? `<${value}>` : value,
    });
    const text = JSON.stringify(secret);
    expect(text).toContain('<SECRET-TOKEN>');
    expect(text).toContain('<SECRET-PASSWORD>');
    expect(text).toContain('<SECRET-CA>');
    expect(text).toContain('<SECRET-ROADIE-PASSWORD>');
    expect(text).toContain('<SECRET-ROADIE-TOKEN>');
    const frontend = schema.process([{ data, context: 'test' }], {
      visibility: ['frontend'],
      ignoreSchemaErrors: true,
    });
    expect(JSON.stringify(frontend)).not.toMatch(/SECRET/);
  });
});
