export * from './GitopsApi';
export { GitopsClient } from './GitopsClient';
