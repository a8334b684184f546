import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs git with an optional Authorization header passed through the
 * environment (never the command line), and an error that says what failed.
 */
export async function git(
  cwd: string,
  args: string[],
  options: { auth?: string; author?: { name: string; email: string } } = {},
): Promise<string> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    GIT_TERMINAL_PROMPT: '0',
  };
  if (options.auth) {
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: ${options.auth}`;
  }
  if (options.author) {
    env.GIT_AUTHOR_NAME = env.GIT_COMMITTER_NAME = options.author.name;
    env.GIT_AUTHOR_EMAIL = env.GIT_COMMITTER_EMAIL = options.author.email;
  }
  try {
    const { stdout } = await run('git', args, {
      cwd,
      env,
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout.trim();
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    const lines = (e.stderr || e.message)
      .split('\n')
      .map(l => l.trim())
      .filter(Boolean);
    const fatal = lines.filter(l => /^(fatal|error|remote):/.test(l));
    throw new Error(
      `git ${args[0]} failed: ${(fatal.length ? fatal : lines.slice(-2)).join(
        ' ',
      )}`,
    );
  }
}
