import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';
import { format } from 'node:util';

// lazy-loaded extensions and msw round trips can be slow on a busy CI machine
configure({ asyncUtilTimeout: 10_000 });

// component tests render whole pages; on a busy 2-core CI machine they take longer than Jest's 5 s default
jest.setTimeout(30_000);

// Deprecation notices of third-party code the tests cannot change, dropped
// so that any other console error or warning stands out:
// - React Router 6's future-flag notices, printed for the router of
//   @backstage/test-utils' renderInTestApp;
// - React 18's defaultProps and findDOMNode notices for @material-table/core
//   (the Table of @backstage/core-components) and the react-beautiful-dnd
//   it bundles;
// - jsdom's own CSS parser failing on a rule.
const THIRD_PARTY_NOTICES = [
  /^⚠️ React Router Future Flag Warning/,
  /^Warning: (MTable\w*|Connect\(Droppable\)|Droppable|Draggable): Support for defaultProps will be removed/,
  /^Warning: findDOMNode is deprecated/,
  // jsdom's CSS parser failing on a rule JSS inserts (a jsdom bug; the
  // browser e2e renders the same styles)
  /^Warning: \[JSS\] processedRuleToParse is not defined/,
];
for (const level of ['error', 'warn'] as const) {
  // eslint-disable-next-line no-console
  const original = console[level];
  // eslint-disable-next-line no-console
  console[level] = (...args: unknown[]) => {
    // React formats its warnings from a template (`Warning: %s: ...`)
    const message = format(...args);
    if (THIRD_PARTY_NOTICES.some(notice => notice.test(message))) return;
    original(...args);
  };
}
