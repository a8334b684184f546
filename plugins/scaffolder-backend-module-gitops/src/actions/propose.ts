import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  compareUrl,
  gitAuthFromIntegrations,
  resolveRepo,
} from '@gitops-portal/plugin-gitops-node';
import { Octokit } from '@octokit/rest';
import yaml from 'js-yaml';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { git } from './git';

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
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gitops-propose-'));
      try {
        await git(
          dir,
          [
            'clone',
            '--quiet',
            '--depth',
            '50',
            '--branch',
            base,
            repo.cloneUrl,
            'repo',
          ],
          { auth },
        );
        const work = path.join(dir, 'repo');
        if (mode !== 'direct')
          await git(work, ['checkout', '--quiet', '-b', branch]);
        const targetDir = path.resolve(work, ctx.input.targetDir ?? '.');
        if (!targetDir.startsWith(work))
          throw new InputError(
            `targetDir '${ctx.input.targetDir}' is outside the repository`,
          );
        const copied = await copyTree(source, targetDir);
        const files = copied.map(f =>
          path.relative(work, path.join(targetDir, f)),
        );
        await git(work, ['add', '--all']);
        if (!(await git(work, ['status', '--porcelain']))) {
          throw new InputError(
            'The fleet repository already has these files: nothing to propose',
          );
        }
        await git(
          work,
          [
            'commit',
            '--quiet',
            '-m',
            ctx.input.commitMessage ??
              ctx.input.title ??
              'Add GitOps deployment',
          ],
          { author },
        );
        const commit = await git(work, ['rev-parse', 'HEAD']);
        ctx.output('branch', branch);
        ctx.output('commit', commit);
        ctx.output('files', files);
        if (ctx.isDryRun) {
          ctx.logger.info(
            `Dry run: would push ${files.length} files to ${branch} of ${repo.webUrl}`,
          );
          return;
        }
        await git(
          work,
          ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`],
          { auth },
        );
        ctx.logger.info(
          `Pushed ${commit.slice(0, 7)} to ${branch} of ${repo.webUrl}`,
        );
        if (mode === 'branch') {
          ctx.output(
            'branchUrl',
            compareUrl(repo, base, branch) ?? repo.webUrl,
          );
        }
        if (mode === 'pull-request') {
          const integration = integrations.github.byHost(repo.host);
          const { token } = await credentials.getCredentials({
            url: repo.webUrl,
          });
          const octokit = new Octokit({
            auth: token,
            baseUrl: integration?.config.apiBaseUrl ?? 'https://api.github.com',
          });
          const { data } = await octokit.pulls.create({
            owner: repo.path[0],
            repo: repo.path[1],
            head: branch,
            base,
            title:
              ctx.input.title ??
              ctx.input.commitMessage ??
              'Add GitOps deployment',
            body: ctx.input.description,
          });
          ctx.output('pullRequestUrl', data.html_url);
          ctx.logger.info(`Opened ${data.html_url}`);
        }
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
  });
}
