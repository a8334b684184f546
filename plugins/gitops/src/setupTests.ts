import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// lazy-loaded extensions and msw round trips can be slow on a busy CI machine
configure({ asyncUtilTimeout: 10_000 });
