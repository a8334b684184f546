export { EntityGitopsContent } from './EntityGitopsContent';
