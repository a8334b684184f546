import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import yaml from 'js-yaml';
import fs from 'node:fs/promises';
import path from 'node:path';

/** @public */
export interface RenderEnvironment {
  name: string;
  /** Kubernetes namespace to deploy into. Default `<name>-<environment>`. */
  namespace?: string;
  /** Argo CD destination cluster URL. Default https://kubernetes.default.svc. */
  destinationServer?: string;
  /** Argo CD destination cluster name (instead of destinationServer). */
  destinationName?: string;
}

/** @public */
export interface RenderInput {
  name: string;
  engine: 'argocd' | 'flux';
  repoUrl: string;
  environments: RenderEnvironment[];
  targetRevision?: string;
  pathTemplate?: string;
  project?: string;
  argocdNamespace?: string;
  fluxNamespace?: string;
  syncPolicy?: 'automated' | 'manual';
  helmChart?: { repoUrl: string; chart: string; version: string };
  /** Argo CD: one Application per environment, or one ApplicationSet whose list generator has an entry per environment. */
  argocdKind?: 'Application' | 'ApplicationSet';
  outputDir?: string;
  fileTemplate?: string;
}

/** Argo CD sync policy: automated (prune, self-heal) unless manual; namespaces created. */
const argoSyncPolicy = (input: RenderInput) => ({
  ...((input.syncPolicy ?? 'automated') === 'automated'
    ? { automated: { prune: true, selfHeal: true } }
    : {}),
  syncOptions: ['CreateNamespace=true'],
});

const fill = (template: string, vars: Record<string, string>) =>
  template.replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? `{${k}}`);

/** An Argo CD source: the Helm chart, or the repository's `sourcePath`. */
function argoSource(input: RenderInput, sourcePath: string) {
  return input.helmChart
    ? {
        repoURL: input.helmChart.repoUrl,
        chart: input.helmChart.chart,
        targetRevision: input.helmChart.version,
      }
    : {
        repoURL: input.repoUrl,
        path: sourcePath,
        targetRevision: input.targetRevision ?? 'main',
      };
}

/**
 * The manifests of a service's deployment for each environment: an Argo CD
 * Application, or a Flux GitRepository with a Kustomization (or a
 * HelmRepository with a HelmRelease). Labels make the new applications match
 * the service's catalog entity: `app.kubernetes.io/name` for Argo CD
 * (`argocd/app-selector`), `backstage.io/kubernetes-id` for Flux.
 *
 * @public
 */
export function renderManifests(
  input: RenderInput,
): { path: string; documents: object[] }[] {
  if (input.engine === 'argocd' && input.argocdKind === 'ApplicationSet')
    return [renderApplicationSet(input)];
  const pathTemplate = input.pathTemplate ?? 'deploy/overlays/{env}';
  const fileTemplate = input.fileTemplate ?? '{env}/{name}.yaml';
  return input.environments.map(env => {
    const vars = { env: env.name, name: input.name };
    const namespace = env.namespace ?? `${input.name}-${env.name}`;
    const labels = {
      'app.kubernetes.io/name': input.name,
      'backstage.io/kubernetes-id': input.name,
      environment: env.name,
    };
    const metaName = `${input.name}-${env.name}`;
    let documents: object[];
    if (input.engine === 'argocd') {
      const source = argoSource(input, fill(pathTemplate, vars));
      documents = [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: {
            name: metaName,
            namespace: input.argocdNamespace ?? 'argocd',
            labels,
          },
          spec: {
            project: input.project ?? 'default',
            source,
            destination: {
              ...(env.destinationName
                ? { name: env.destinationName }
                : {
                    server:
                      env.destinationServer ?? 'https://kubernetes.default.svc',
                  }),
              namespace,
            },
            syncPolicy: argoSyncPolicy(input),
          },
        },
      ];
    } else {
      const ns = input.fluxNamespace ?? 'flux-system';
      documents = input.helmChart
        ? [
            {
              apiVersion: 'source.toolkit.fluxcd.io/v1',
              kind: 'HelmRepository',
              metadata: { name: input.name, namespace: ns },
              spec: { interval: '10m', url: input.helmChart.repoUrl },
            },
            {
              apiVersion: 'helm.toolkit.fluxcd.io/v2',
              kind: 'HelmRelease',
              metadata: { name: metaName, namespace: ns, labels },
              spec: {
                interval: '10m',
                targetNamespace: namespace,
                install: { createNamespace: true },
                chart: {
                  spec: {
                    chart: input.helmChart.chart,
                    version: input.helmChart.version,
                    sourceRef: { kind: 'HelmRepository', name: input.name },
                  },
                },
              },
            },
          ]
        : [
            {
              apiVersion: 'source.toolkit.fluxcd.io/v1',
              kind: 'GitRepository',
              metadata: { name: input.name, namespace: ns },
              spec: {
                interval: '1m',
                url: input.repoUrl,
                ref: { branch: input.targetRevision ?? 'main' },
              },
            },
            {
              apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
              kind: 'Kustomization',
              metadata: { name: metaName, namespace: ns, labels },
              spec: {
                interval: '5m',
                path: `./${fill(pathTemplate, vars).replace(/^\.?\//, '')}`,
                prune: true,
                sourceRef: { kind: 'GitRepository', name: input.name },
                targetNamespace: namespace,
                ...((input.syncPolicy ?? 'automated') === 'manual'
                  ? { suspend: true }
                  : {}),
              },
            },
          ];
    }
    return { path: fill(fileTemplate, vars), documents };
  });
}

/**
 * One Argo CD ApplicationSet for a service: a list generator with an entry
 * per environment (env, namespace, path, cluster), and an Application
 * template labelled like the per-environment Applications.
 */
function renderApplicationSet(input: RenderInput): {
  path: string;
  documents: object[];
} {
  const pathTemplate = input.pathTemplate ?? 'deploy/overlays/{env}';
  const byName = input.environments.filter(e => e.destinationName);
  if (byName.length && byName.length !== input.environments.length) {
    throw new InputError(
      'an ApplicationSet needs every environment to name its cluster the same way: all with destinationName or none',
    );
  }
  const elements = input.environments.map(env => ({
    env: env.name,
    namespace: env.namespace ?? `${input.name}-${env.name}`,
    path: fill(pathTemplate, { env: env.name, name: input.name }),
    cluster:
      env.destinationName ??
      env.destinationServer ??
      'https://kubernetes.default.svc',
  }));
  const source = argoSource(input, '{{path}}');
  const file = (input.fileTemplate ?? '{name}-applicationset.yaml').replace(
    /\{env\}\/?/g,
    '',
  );
  return {
    path: fill(file, { name: input.name }),
    documents: [
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'ApplicationSet',
        metadata: {
          name: input.name,
          namespace: input.argocdNamespace ?? 'argocd',
          labels: { 'app.kubernetes.io/name': input.name },
        },
        spec: {
          generators: [{ list: { elements } }],
          template: {
            metadata: {
              name: `${input.name}-{{env}}`,
              labels: {
                'app.kubernetes.io/name': input.name,
                'backstage.io/kubernetes-id': input.name,
                environment: '{{env}}',
              },
            },
            spec: {
              project: input.project ?? 'default',
              source,
              destination: {
                [byName.length ? 'name' : 'server']: '{{cluster}}',
                namespace: '{{namespace}}',
              },
              syncPolicy: argoSyncPolicy(input),
            },
          },
        },
      },
    ],
  };
}

/**
 * The `gitops:render` action.
 *
 * @public
 */
export function createRenderAction() {
  return createTemplateAction({
    id: 'gitops:render',
    description:
      'Renders the GitOps deployment of a service for each environment (Argo CD Application, or Flux GitRepository + Kustomization / HelmRelease) into the workspace.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Argo CD Applications for dev and prod',
        example: yaml.dump({
          steps: [
            {
              id: 'render',
              action: 'gitops:render',
              name: 'Render deployment',
              input: {
                name: 'checkout',
                engine: 'argocd',
                repoUrl: 'https://github.com/acme/checkout.git',
                environments: [
                  { name: 'dev' },
                  { name: 'prod', destinationName: 'prod-cluster' },
                ],
              },
            },
          ],
        }),
      },
    ],
    schema: {
      input: {
        name: z =>
          z
            .string()
            .regex(
              /^[a-z0-9]([-a-z0-9]{0,48}[a-z0-9])?$/,
              'must be a DNS label: lowercase letters, digits and dashes',
            )
            .describe('Service name'),
        engine: z => z.enum(['argocd', 'flux']).describe('GitOps engine'),
        repoUrl: z =>
          z
            .string()
            .url()
            .describe('Git repository with the service manifests'),
        environments: z =>
          z
            .array(
              z.union([
                z.string().regex(/^[a-z0-9-]+$/, 'must be an environment name'),
                z.object({
                  name: z.string().regex(/^[a-z0-9-]+$/),
                  namespace: z.string().optional(),
                  destinationServer: z.string().url().optional(),
                  destinationName: z.string().optional(),
                }),
              ]),
            )
            .min(1)
            .describe(
              'Environments to deploy to, in promotion order: names, or objects with a name and where to deploy',
            ),
        targetRevision: z =>
          z.string().optional().describe('Branch to follow (default main)'),
        pathTemplate: z =>
          z
            .string()
            .optional()
            .describe(
              'Manifest path in the service repo; {env} and {name} are replaced',
            ),
        project: z =>
          z.string().optional().describe('Argo CD project (default "default")'),
        argocdNamespace: z => z.string().optional(),
        fluxNamespace: z => z.string().optional(),
        syncPolicy: z => z.enum(['automated', 'manual']).optional(),
        helmChart: z =>
          z
            .object({
              repoUrl: z.string().url(),
              chart: z.string(),
              version: z.string(),
            })
            .optional(),
        argocdKind: z =>
          z
            .enum(['Application', 'ApplicationSet'])
            .optional()
            .describe(
              'Argo CD: an Application per environment (default), or one ApplicationSet with a list-generator entry per environment',
            ),
        outputDir: z =>
          z
            .string()
            .optional()
            .describe('Workspace directory to write to (default "fleet")'),
        fileTemplate: z =>
          z
            .string()
            .optional()
            .describe(
              'File path per environment (default "{env}/{name}.yaml")',
            ),
      },
      output: {
        files: z =>
          z.array(z.string()).describe('Files written, relative to outputDir'),
        outputDir: z => z.string(),
      },
    },
    async handler(ctx) {
      const outputDir = ctx.input.outputDir ?? 'fleet';
      const root = path.resolve(ctx.workspacePath, outputDir);
      if (!root.startsWith(path.resolve(ctx.workspacePath))) {
        throw new InputError(
          `outputDir '${outputDir}' is outside the workspace`,
        );
      }
      const files = renderManifests({
        ...ctx.input,
        environments: ctx.input.environments.map(e =>
          typeof e === 'string' ? { name: e } : e,
        ),
      } as RenderInput);
      for (const file of files) {
        const target = path.resolve(root, file.path);
        if (!target.startsWith(root))
          throw new InputError(`file '${file.path}' is outside outputDir`);
        await fs.mkdir(path.dirname(target), { recursive: true });
        await fs.writeFile(
          target,
          file.documents.map(d => yaml.dump(d, { noRefs: true })).join('---\n'),
        );
        ctx.logger.info(`Rendered ${path.join(outputDir, file.path)}`);
      }
      ctx.output(
        'files',
        files.map(f => f.path),
      );
      ctx.output('outputDir', outputDir);
    },
  });
}
