import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  fileUrl,
  gitAuthFromIntegrations,
  resolveRepo,
} from '@gitops-portal/plugin-gitops-node';
import yaml from 'js-yaml';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runGit as git } from '@gitops-portal/plugin-gitops-node';

/**
 * The `gitops:publish:git` action: a workspace directory pushed to any Git remote.
 *
 * @public
 */
export function createPublishAction(options: { config: Config }) {
  const integrations = ScmIntegrations.fromConfig(options.config);
  const authFor = gitAuthFromIntegrations(
    integrations,
    DefaultGithubCredentialsProvider.fromIntegrations(integrations),
  );
  return createTemplateAction({
    id: 'gitops:publish:git',
    description:
      'Publishes a workspace directory as the first commit of an existing, empty repository on any Git host (for hosts without a publish:* action), with credentials from the integrations config.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Publish the service skeleton',
        example: yaml.dump({
          steps: [
            {
              id: 'publish',
              action: 'gitops:publish:git',
              name: 'Publish',
              input: { repoUrl: 'https://git.acme.io/team/checkout.git' },
            },
          ],
        }),
      },
    ],
    schema: {
      input: {
        repoUrl: z => z.string().min(1).describe('Empty remote repository'),
        sourceDir: z =>
          z
            .string()
            .optional()
            .describe('Workspace directory (default the workspace)'),
        branch: z =>
          z
            .string()
            .regex(/^[\w./-]+$/)
            .optional()
            .describe('Default branch (default main)'),
        commitMessage: z => z.string().optional(),
        authorName: z => z.string().optional(),
        authorEmail: z => z.string().optional(),
        catalogInfoPath: z =>
          z
            .string()
            .optional()
            .describe(
              'Path of the catalog descriptor in the workspace (default catalog-info.yaml)',
            ),
      },
      output: {
        remoteUrl: z => z.string().describe('Web URL of the repository'),
        commit: z => z.string().describe('SHA of the published commit'),
        catalogInfoUrl: z =>
          z
            .string()
            .optional()
            .describe(
              'URL of the published catalog descriptor, for catalog:register (set when the workspace has one)',
            ),
      },
    },
    async handler(ctx) {
      const repo = resolveRepo(ctx.input.repoUrl, integrations);
      if (!repo)
        throw new InputError(
          `'${ctx.input.repoUrl}' is not a Git repository URL`,
        );
      const source = path.resolve(
        ctx.workspacePath,
        ctx.input.sourceDir ?? '.',
      );
      if (!source.startsWith(path.resolve(ctx.workspacePath))) {
        throw new InputError(
          `sourceDir '${ctx.input.sourceDir}' is outside the workspace`,
        );
      }
      const branch = ctx.input.branch ?? 'main';
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-publish-'));
      try {
        await fs.cp(source, dir, { recursive: true });
        await git(dir, ['init', '--quiet', '-b', branch]);
        await git(dir, ['add', '--all']);
        await git(
          dir,
          [
            'commit',
            '--quiet',
            '-m',
            ctx.input.commitMessage ?? 'Initial commit',
          ],
          {
            author: {
              name: ctx.input.authorName ?? 'Backstage Scaffolder',
              email: ctx.input.authorEmail ?? 'scaffolder@backstage.io',
            },
          },
        );
        const commit = await git(dir, ['rev-parse', 'HEAD']);
        ctx.output('remoteUrl', repo.webUrl);
        ctx.output('commit', commit);
        const catalogInfoPath =
          ctx.input.catalogInfoPath ?? 'catalog-info.yaml';
        const hasCatalogInfo = await fs
          .stat(path.resolve(dir, catalogInfoPath))
          .then(s => s.isFile())
          .catch(() => false);
        if (hasCatalogInfo)
          ctx.output('catalogInfoUrl', fileUrl(repo, branch, catalogInfoPath));
        if (ctx.isDryRun) return;
        await git(
          dir,
          ['push', '--quiet', repo.cloneUrl, `HEAD:refs/heads/${branch}`],
          { auth: await authFor(repo) },
        );
        ctx.logger.info(`Published ${commit.slice(0, 7)} to ${repo.webUrl}`);
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
  });
}
