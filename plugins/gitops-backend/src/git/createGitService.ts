import {
  DatabaseService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import os from 'node:os';
import path from 'node:path';
import { GitSettings } from '../config';
import { gitAuthFromIntegrations } from '@gitops-portal/plugin-gitops-node';
import { GithubGitClient } from './GithubGitClient';
import { GitService } from './GitService';
import { GitStore } from './GitStore';
import { PlainGitClient } from './PlainGitClient';

/** Wires the Git service from Backstage's `integrations` config. */
export async function createGitService(options: {
  config: RootConfigService;
  database: DatabaseService;
  logger: LoggerService;
  settings: GitSettings;
}): Promise<GitService> {
  const integrations = ScmIntegrations.fromConfig(options.config);
  const credentials =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  return new GitService({
    store: new GitStore(await options.database.getClient()),
    integrations,
    github: new GithubGitClient({ integrations, credentials }),
    plain: new PlainGitClient({
      cacheDir:
        options.settings.cacheDir ?? path.join(os.tmpdir(), 'gitops-git-cache'),
      auth: gitAuthFromIntegrations(integrations, credentials),
    }),
    logger: options.logger,
    pendingLimit: options.settings.pendingLimit,
  });
}
