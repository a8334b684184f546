export * from './GitopsApi';
