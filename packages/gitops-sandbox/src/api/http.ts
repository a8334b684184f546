import http from 'node:http';

/** The token the demo backend uses; sessions are also available (admin / sandbox). */
export const SANDBOX_TOKEN = 'sandbox-token';
/** The service-account token of the sandbox Kubernetes clusters. */
export const SANDBOX_K8S_TOKEN = 'sandbox-k8s-token';

/** A Kubernetes `Status` failure. */
export function k8sStatus(
  res: http.ServerResponse,
  code: number,
  reason: string,
  message: string,
) {
  send(res, code, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
}

export function send(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function argoError(
  res: http.ServerResponse,
  status: number,
  code: number,
  message: string,
) {
  send(res, status, { code, error: message, message });
}

export async function readJson(req: http.IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

/** Starts a response that streams newline-delimited JSON. */
export function startJsonStream(res: http.ServerResponse) {
  res.writeHead(200, {
    'content-type': 'application/json',
    'cache-control': 'no-cache',
  });
  res.flushHeaders();
}
