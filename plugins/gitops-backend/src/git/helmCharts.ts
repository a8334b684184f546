import yaml from 'js-yaml';
import semver from 'semver';

/**
 * The newest stable version of a chart in an HTTP Helm repository
 * (`<repo>/index.yaml`). OCI registries have no index: undefined.
 */
export async function latestChartVersion(options: {
  repoUrl: string;
  chart: string;
  timeoutMs?: number;
}): Promise<string | undefined> {
  if (!/^https?:\/\//i.test(options.repoUrl)) return undefined;
  const url = `${options.repoUrl.replace(/\/+$/, '')}/index.yaml`;
  let res: Response;
  try {
    res = await fetch(url, {
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
  } catch (error) {
    throw new Error(
      `Helm repository ${options.repoUrl} is unreachable: ${
        (error as Error).message
      }`,
    );
  }
  if (!res.ok) {
    throw new Error(
      `Helm repository ${options.repoUrl} answered ${res.status} for index.yaml`,
    );
  }
  const index = yaml.load(await res.text()) as {
    entries?: Record<string, { version?: string }[]>;
  };
  const versions = (index?.entries?.[options.chart] ?? [])
    .map(e => e.version)
    .filter((v): v is string =>
      Boolean(v && semver.valid(v) && !semver.prerelease(v)),
    );
  return versions.sort(semver.rcompare)[0];
}
