import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// lazy-loaded extensions and msw round trips can be slow on a busy CI machine
configure({ asyncUtilTimeout: 10_000 });

// component tests render whole pages; on a busy 2-core CI machine they take longer than Jest's 5 s default
jest.setTimeout(30_000);
