export {
  startSandbox,
  SANDBOX_TOKEN,
  SANDBOX_K8S_TOKEN,
  SANDBOX_REPOS,
} from './server';
export { FluxSandbox } from './FluxSandbox';
export { GitFleet } from './GitFleet';
export type { SandboxOptions } from './server';
export { ArgoSandbox } from './ArgoSandbox';
export type { GroundTruthDeployment } from './groundTruth';
export { demoFleet, sha } from './fleet';
export type { SandboxAppSpec } from './fleet';
export { FleetReconciler, FAIL_ANNOTATION } from './FleetReconciler';
export type { FleetStatus } from './FleetReconciler';
export { sandboxControllers } from './controllers';
