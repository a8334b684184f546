export { startSandbox, SANDBOX_TOKEN } from './server';
export type { SandboxOptions } from './server';
export { ArgoSandbox } from './ArgoSandbox';
export { demoFleet, sha } from './fleet';
export type { SandboxAppSpec } from './fleet';
export { contractsDir, validateArgo } from './contracts';
