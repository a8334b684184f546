export {
  DeliveryPerformanceCard,
  DeliveryFigures,
} from './DeliveryPerformanceCard';
export { DeploymentsChart } from './DeploymentsChart';
export { BandChip } from './BandChip';
export { formatDuration, formatFrequency, formatRate } from './metricsFormat';
export { TeamDeliveryTable } from './TeamDeliveryTable';
