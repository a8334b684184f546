/** What the hooks use of an msw server (any msw 2 copy's `setupServer()`). */
interface MswServer {
  listen(options: {
    onUnhandledRequest: (
      request: Request,
      print: { warning(): void; error(): void },
    ) => void;
  }): void;
  resetHandlers(): void;
  close(): void;
}

/**
 * Jest hooks for an msw server under which a request no handler answers
 * fails the test that made it (msw alone only prints it). Requests to
 * `passthroughHosts` (a test backend on localhost) are let through.
 *
 * Imported by path (`@gitops-portal/gitops-test-utils/src/msw`) so that
 * frontend tests take it without the backend helpers of the index.
 */
export function registerStrictMswHooks(
  server: MswServer,
  options: {
    passthroughHosts?: string[];
    /** Whether handlers a test added go after it (default true). */
    resetHandlers?: boolean;
  } = {},
) {
  const passthrough = new Set(options.passthroughHosts ?? []);
  const unhandled: string[] = [];
  beforeAll(() =>
    server.listen({
      onUnhandledRequest(request, print) {
        if (passthrough.has(new URL(request.url).hostname)) return;
        unhandled.push(`${request.method} ${request.url}`);
        // the request fails at once, as msw's 'error' strategy does
        print.error();
      },
    }),
  );
  afterEach(() => {
    if (options.resetHandlers !== false) server.resetHandlers();
    const seen = unhandled.splice(0);
    if (seen.length) {
      throw new Error(
        `requests no msw handler answered (add a handler for each):\n  ${seen.join(
          '\n  ',
        )}`,
      );
    }
  });
  afterAll(() => server.close());
}
