/*
 * What the benchmarks share: the environments of the demo fleet, a logger
 * that keeps only warnings and errors, and how a benchmark script runs.
 * Their database is benchDatabase.ts's.
 */
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { EnvironmentConfig } from '../plugins/gitops-backend/src/model/environments';

/** dev, staging and prod by the `environment` label, as the demo fleet has them. */
export const BENCH_ENVIRONMENTS: EnvironmentConfig = {
  order: ['dev', 'staging', 'prod'],
  label: 'environment',
  fallback: 'default',
  rules: [],
};

/** A logger for the code under test: warnings and errors only. */
export const benchLogger: LoggerService = {
  debug() {},
  info() {},
  warn(message: string) {
    console.warn(message);
  },
  error(message: string) {
    console.error(message);
  },
  child() {
    return benchLogger;
  },
};

/** Runs a benchmark's main; a failure ends the process with 1. */
export function runBench(main: () => Promise<void>) {
  main().catch(error => {
    console.error(error);
    process.exit(1);
  });
}
