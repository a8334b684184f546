/* Calls to a Kubernetes API server: cancellable, and their errors told without credentials. */

/** A promise that rejects when `signal` aborts. */
export function abortable<T>(
  promise: Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  if (!signal) return promise;
  return new Promise((resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), {
      once: true,
    });
    promise.then(resolve, reject);
  });
}

/** A readable message of a Kubernetes client error, never with credentials. */
export function describe(error: unknown, cluster: string): Error {
  const e = error as {
    code?: number;
    body?: unknown;
    message?: string;
    cause?: { code?: string };
  };
  if (typeof e.code === 'number') {
    let reason = '';
    try {
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      reason = (body as { message?: string })?.message ?? '';
    } catch {
      // not JSON
    }
    return new Error(
      `Kubernetes cluster '${cluster}' answered ${e.code}${
        reason ? `: ${reason}` : ''
      }`,
    );
  }
  return new Error(
    `Kubernetes cluster '${cluster}' is unreachable: ${
      e.message ?? String(error)
    }${e.cause?.code ? ` (${e.cause.code})` : ''}`,
  );
}
