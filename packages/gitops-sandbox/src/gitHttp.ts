import { spawn } from 'node:child_process';
import http from 'node:http';

/**
 * Answers a smart-HTTP Git request (clone, fetch, push) for the
 * repositories under `root` with `git http-backend`, as a Git host does:
 * the request's body goes to its stdin, its CGI headers become the
 * response's.
 */
export function gitHttpBackend(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  root: string,
  pathInfo: string,
  query: string,
) {
  const backend = spawn('git', ['http-backend'], {
    env: {
      ...process.env,
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: pathInfo,
      QUERY_STRING: query,
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: 'sandbox',
      REMOTE_ADDR: '127.0.0.1',
      GIT_HTTP_MAX_REQUEST_BUFFER: '100M',
      ...(req.headers['git-protocol']
        ? { GIT_PROTOCOL: String(req.headers['git-protocol']) }
        : {}),
      ...(req.headers['content-encoding']
        ? { HTTP_CONTENT_ENCODING: String(req.headers['content-encoding']) }
        : {}),
    },
  });
  req.pipe(backend.stdin);
  let buffer = Buffer.alloc(0);
  let headersDone = false;
  backend.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    buffer = Buffer.concat([buffer, chunk]);
    const end = buffer.indexOf('\r\n\r\n');
    if (end === -1) return;
    headersDone = true;
    let status = 200;
    for (const line of buffer.subarray(0, end).toString().split('\r\n')) {
      const i = line.indexOf(':');
      const key = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (key.toLowerCase() === 'status') status = parseInt(value, 10);
      else res.setHeader(key, value);
    }
    res.writeHead(status);
    res.write(buffer.subarray(end + 4));
  });
  backend.on('close', () => {
    if (!headersDone) res.writeHead(500);
    res.end();
  });
  backend.on('error', () => {
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
}
