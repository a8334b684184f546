import { MockTranslationApi } from '@backstage/test-utils/alpha';
import { GitopsT, gitopsTranslationRef } from '../translation';

/** The plugin's translation function with its default (English) messages. */
export function defaultT(): GitopsT {
  const snapshot =
    MockTranslationApi.create().getTranslation(gitopsTranslationRef);
  if (!snapshot.ready) throw new Error('default messages are not ready');
  return snapshot.t;
}
