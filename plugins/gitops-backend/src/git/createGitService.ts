import { LoggerService } from '@backstage/backend-plugin-api';
import {
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import os from 'node:os';
import path from 'node:path';
import { GitSettings } from '../config';
import { gitAuthFromIntegrations } from '@gitops-portal/plugin-gitops-node';
import { GithubGitClient } from './GithubGitClient';
import { GitService } from './GitService';
import { GitStore } from './GitStore';
import { PlainGitClient } from './PlainGitClient';

/**
 * Wires the Git service: GitHub through its API, other hosts through plain
 * Git, each with the credentials Backstage's `integrations` config gives.
 */
export function createGitService(options: {
  store: GitStore;
  integrations: ScmIntegrationRegistry;
  credentials: GithubCredentialsProvider;
  logger: LoggerService;
  settings: GitSettings;
}): GitService {
  const { integrations, credentials } = options;
  return new GitService({
    store: options.store,
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
