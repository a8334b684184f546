// What the embed check's steps share (scripts/verify-embed.mjs): where the
// repository is, a log with the time since the start, commands, waiting for
// a server, and the processes it started.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const execFileAsync = promisify(execFile);
export const root = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
);
const started = Date.now();
export const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
export const log = msg => console.log(`[embed ${elapsed()}] ${msg}`);

export const children = [];

export function sh(cmd, args, options = {}) {
  log(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit', ...options });
}

export function editJson(file, edit) {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(data);
  fs.writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
}

export async function waitFor(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

export function cleanup() {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone already
    }
  }
}

/**
 * Waits (a minute at most: a portal stopped just before may still be
 * shutting down) until nothing answers on the ports the check needs, so the
 * check never reads another portal by mistake.
 */
export async function assertPortsFree(ports) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const busy = [];
    for (const port of ports) {
      const answers = await fetch(`http://localhost:${port}/`).then(
        () => true,
        () => false,
      );
      if (answers) busy.push(port);
    }
    if (busy.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `port(s) ${busy.join(
          ', ',
        )} in use: stop what runs there (another portal or sandbox) first`,
      );
    }
    await new Promise(r => setTimeout(r, 2000));
  }
}
