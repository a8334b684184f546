import {
  coreServices,
  createServiceFactory,
  LoggerService,
  RootLoggerService,
} from '@backstage/backend-plugin-api';

/** A root logger that keeps every line (message, meta and error) for inspection. */
export function capturingLogger() {
  const lines: string[] = [];
  const make = (meta: object): RootLoggerService => {
    const log =
      (level: string) => (message: string, extra?: Error | object) => {
        lines.push(
          `${level} ${message} ${JSON.stringify(meta)} ${
            extra instanceof Error
              ? `${extra.message} ${extra.stack}`
              : JSON.stringify(extra ?? {})
          }`,
        );
      };
    return {
      error: log('error'),
      warn: log('warn'),
      info: log('info'),
      debug: log('debug'),
      child: (m: object): LoggerService => make({ ...meta, ...m }),
    };
  };
  const factory = createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory: () => make({}),
  });
  return { lines, factory };
}
