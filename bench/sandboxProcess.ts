import { spawn } from 'node:child_process';
import path from 'node:path';
import type { SandboxOptions } from '@gitops-portal/gitops-sandbox';

/** Starts the sandbox in a child process; resolves with its URL once it serves. */
export function startSandboxProcess(options: SandboxOptions): Promise<{
  url: string;
  instances: string[];
  stop: () => void;
}> {
  const child = spawn(
    process.execPath,
    [
      '--require',
      '@backstage/cli/config/nodeTransform.cjs',
      path.join(__dirname, 'sandbox-process.ts'),
      JSON.stringify(options),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', chunk => {
      out += chunk;
      const line = out.split('\n').find(l => l.startsWith('{'));
      if (line) {
        const { url, instances } = JSON.parse(line);
        resolve({ url, instances, stop: () => child.kill() });
      }
    });
    child.on('exit', code => reject(new Error(`sandbox exited with ${code}`)));
  });
}
