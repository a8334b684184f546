/**
 * Types, permissions and pure helpers shared by the GitOps plugins.
 *
 * @packageDocumentation
 */
export * from './types';
export * from './status';
export * from './annotations';
export * from './labelSelector';
export * from './permissions';
export * from './environments';
export * from './revisions';
export * from './api';
export * from './classify';
export * from './deliveryPerformance';
export * from './promotion';
export * from './signals';
export * from './client';
export * from './preview';
export { SERVICE_LABEL, applicationService } from './service';
