export { HealthChip, SyncChip } from './StatusChips';
