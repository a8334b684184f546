export { PreviewList } from './PreviewList';
