export { PromotionStrip } from './PromotionStrip';
