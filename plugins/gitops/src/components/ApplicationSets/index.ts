export { ApplicationSetList, ApplicationSetItem } from './ApplicationSetList';
