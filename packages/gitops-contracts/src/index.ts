/**
 * Upstream API contracts of Argo CD and Flux, carried in this repository,
 * and validators that check fixtures and sandbox payloads against them.
 *
 * @packageDocumentation
 */
export {
  contractsDir,
  validateArgo,
  validateFlux,
  validateRollout,
  validateWorkload,
} from './validate';
