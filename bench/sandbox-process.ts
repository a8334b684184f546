/*
 * The sandbox in its own process, so that the benchmarks measure the
 * backend's memory and CPU, not the fake controllers'. Prints one JSON line
 * with its URL, then serves until killed.
 */
import { startSandbox } from '@gitops-portal/gitops-sandbox';

const options = JSON.parse(process.argv[2] ?? '{}');
startSandbox({ port: 0, commitEverySeconds: 0, git: false, ...options }).then(
  sb => {
    console.log(
      JSON.stringify({ url: sb.url, instances: sb.sandbox.instances() }),
    );
  },
);
