/**
 * GitOps backend plugin for Backstage.
 *
 * @packageDocumentation
 */
export { gitopsPlugin as default } from './plugin';
export { catalogModuleGitops } from './catalog/module';
