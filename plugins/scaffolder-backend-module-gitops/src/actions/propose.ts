import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  gitAuthFromIntegrations,
  NothingToChangeError,
  openGithubPullRequest,
  proposeGitChange,
  resolveRepo,
} from '@gitops-portal/plugin-gitops-node';
import yaml from 'js-yaml';
import fs from 'node:fs/promises';
import path from 'node:path';

async function copyTree(from: string, to: string): Promise<string[]> {
  const written: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const src = path.join(dir, entry.name);
      const rel = path.relative(from, src);
      if (entry.isDirectory()) await walk(src);
      else {
        await fs.mkdir(path.dirname(path.join(to, rel)), { recursive: true });
        await fs.copyFile(src, path.join(to, rel));
        written.push(rel);
      }
    }
  };
  await walk(from);
  return written.sort();
}

/**
 * The `gitops:propose` action: the deployment as a reviewed change to the fleet repository.
 *
 * @public
 */
export function createProposeAction(options: { config: Config }) {
  const integrations = ScmIntegrations.fromConfig(options.config);
  const credentials =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  const authFor = gitAuthFromIntegrations(integrations, credentials);
  return createTemplateAction({
    id: 'gitops:propose',
    description:
      'Proposes files of the workspace as a change to the fleet repository the GitOps controllers watch: a pull request (GitHub), a pushed branch (any Git host) or a direct commit.',
    supportsDryRun: true,
    examples: [
      {
        description: 'Open a pull request on the fleet repository',
        example: yaml.dump({
          steps: [
            {
              id: 'propose',
              action: 'gitops:propose',
              name: 'Propose deployment',
              input: {
                repoUrl: 'https://github.com/acme/fleet.git',
                sourceDir: 'fleet',
                targetDir: 'apps/checkout',
                title: 'Deploy checkout',
              },
            },
          ],
        }),
      },
    ],
    schema: {
      input: {
        repoUrl: z =>
          z
            .string()
            .min(1)
            .describe('Fleet repository (https, ssh or file URL)'),
        sourceDir: z =>
          z
            .string()
            .optional()
            .describe('Workspace directory with the files (default "fleet")'),
        targetDir: z =>
          z
            .string()
            .optional()
            .describe('Directory in the fleet repository (default the root)'),
        baseBranch: z =>
          z
            .string()
            .optional()
            .describe('Branch the controllers watch (default main)'),
        branch: z =>
          z
            .string()
            .regex(/^[\w./-]+$/)
            .optional()
            .describe('Branch to create (default gitops/<timestamp>)'),
        mode: z =>
          z
            .enum(['pull-request', 'branch', 'direct'])
            .optional()
            .describe('How to propose (default pull-request)'),
        commitMessage: z => z.string().optional(),
        title: z => z.string().optional().describe('Pull request title'),
        description: z => z.string().optional().describe('Pull request body'),
        authorName: z => z.string().optional(),
        authorEmail: z => z.string().optional(),
      },
      output: {
        branch: z => z.string(),
        commit: z => z.string(),
        files: z => z.array(z.string()),
        pullRequestUrl: z => z.string().optional(),
        branchUrl: z => z.string().optional(),
      },
    },
    async handler(ctx) {
      const mode = ctx.input.mode ?? 'pull-request';
      const base = ctx.input.baseBranch ?? 'main';
      const branch =
        mode === 'direct' ? base : ctx.input.branch ?? `gitops/${Date.now()}`;
      const source = path.resolve(
        ctx.workspacePath,
        ctx.input.sourceDir ?? 'fleet',
      );
      if (!source.startsWith(path.resolve(ctx.workspacePath))) {
        throw new InputError(
          `sourceDir '${ctx.input.sourceDir}' is outside the workspace`,
        );
      }
      try {
        await fs.access(source);
      } catch {
        throw new InputError(
          `sourceDir '${
            ctx.input.sourceDir ?? 'fleet'
          }' does not exist in the workspace; render the files first`,
        );
      }
      const repo = resolveRepo(ctx.input.repoUrl, integrations);
      if (!repo)
        throw new InputError(
          `'${ctx.input.repoUrl}' is not a Git repository URL`,
        );
      if (mode === 'pull-request' && repo.type !== 'github') {
        throw new InputError(
          `Pull requests are supported on GitHub; ${repo.host} is ${repo.type}: use mode 'branch' or 'direct'`,
        );
      }
      const auth = await authFor(repo);
      const author = {
        name: ctx.input.authorName ?? 'Backstage Scaffolder',
        email: ctx.input.authorEmail ?? 'scaffolder@backstage.io',
      };
      const title =
        ctx.input.title ?? ctx.input.commitMessage ?? 'Add GitOps deployment';
      let written: string[] = [];
      let result;
      try {
        result = await proposeGitChange({
          repo,
          auth,
          baseBranch: base,
          branch,
          mode,
          author,
          message: ctx.input.commitMessage ?? title,
          dryRun: ctx.isDryRun,
          async edit(tree) {
            const targetDir = path.resolve(
              tree.dir,
              ctx.input.targetDir ?? '.',
            );
            if (!targetDir.startsWith(tree.dir))
              throw new InputError(
                `targetDir '${ctx.input.targetDir}' is outside the repository`,
              );
            written = (await copyTree(source, targetDir)).map(f =>
              path.relative(tree.dir, path.join(targetDir, f)),
            );
          },
          openPullRequest: async head => {
            const { token } = await credentials.getCredentials({
              url: repo.webUrl,
            });
            return openGithubPullRequest({
              repo,
              token,
              apiBaseUrl: integrations.github.byHost(repo.host)?.config
                .apiBaseUrl,
              head,
              base,
              title,
              body: ctx.input.description,
            });
          },
        });
      } catch (error) {
        if (error instanceof NothingToChangeError)
          throw new InputError(
            'The fleet repository already has these files: nothing to propose',
          );
        throw error;
      }
      ctx.output('branch', branch);
      ctx.output('commit', result.commitSha);
      ctx.output('files', written.sort());
      if (!result.pushed) {
        ctx.logger.info(
          `Dry run: would push ${written.length} files to ${branch} of ${repo.webUrl}`,
        );
        return;
      }
      ctx.logger.info(
        `Pushed ${result.commitSha.slice(0, 7)} to ${branch} of ${repo.webUrl}`,
      );
      if (mode === 'branch' && result.url) ctx.output('branchUrl', result.url);
      if (mode === 'pull-request' && result.url) {
        ctx.output('pullRequestUrl', result.url);
        ctx.logger.info(`Opened ${result.url}`);
      }
    },
  });
}
