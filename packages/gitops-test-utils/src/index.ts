/**
 * Test helpers shared by the suite's backend packages (not published).
 *
 * @packageDocumentation
 */
export {
  ownersOnlyPolicyModule,
  onBehalfOfAuthFactory,
  restrictedTokensHttpAuthFactory,
  until,
} from './portal';
export type { PolicyExtra } from './portal';
export { git, gitAs, gitRepository } from './gitRepository';
export type { GitAuthor } from './gitRepository';
export {
  CHECKOUT_COMPONENT_YAML,
  OWNED_SERVICES_YAML,
  catalogFromYaml,
} from './catalog';
export { makeApplication } from './applications';
export { closingDatabaseFactory } from './database';
export { startSandboxPortal } from './sandboxPortal';
export type { SandboxPortal } from './sandboxPortal';
