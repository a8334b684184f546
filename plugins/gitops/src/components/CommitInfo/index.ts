export { CommitInfo } from './CommitInfo';
