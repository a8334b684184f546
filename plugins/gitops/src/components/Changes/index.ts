export { ChangeDialog } from './ChangeDialog';
export {
  EnvironmentChanges,
  ProposalLine,
  RollbackButton,
} from './EnvironmentChanges';
