/**
 * The backend's shared GitOps model: what providers produce and services,
 * stores and the router consume. It imports nothing of theirs.
 */
export * from './branches';
export * from './deployments';
export * from './deploymentKey';
export * from './environments';
export * from './provider';
