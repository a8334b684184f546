/**
 * Scaffolder actions for GitOps-managed services.
 *
 * @packageDocumentation
 */
export { scaffolderModuleGitops as default } from './module';
export { createRenderAction, renderManifests } from './actions/render';
export type { RenderEnvironment, RenderInput } from './actions/render';
export { createProposeAction } from './actions/propose';
export { createPublishAction } from './actions/publish';
