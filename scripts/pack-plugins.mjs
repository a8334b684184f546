// Packs every published package with `npm pack` (which runs its
// prepack/postpack: `backstage-cli package prepack|postpack`) into a folder,
// and checks that each tarball's package.json points `main`, `module`,
// `types`, `exports`, `typesVersions` and `configSchema` at files inside it.
// Needs `npm run build:plugins` first.
//
// Usage: node scripts/pack-plugins.mjs [outDir]   (default: dist-packs/)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PUBLISHED = [
  'plugins/gitops-common',
  'plugins/gitops-node',
  'plugins/gitops-backend',
  'plugins/catalog-backend-module-gitops',
  'plugins/scaffolder-backend-module-gitops',
  'plugins/search-backend-module-gitops',
  'plugins/tech-insights-backend-module-gitops',
  'plugins/gitops',
];

function targets(pkg) {
  const out = [];
  const walk = v => {
    if (typeof v === 'string') out.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  for (const key of ['main', 'module', 'types', 'configSchema']) walk(pkg[key]);
  walk(pkg.exports);
  walk(pkg.typesVersions);
  return out.filter(t => !t.startsWith('@backstage/')); // export markers
}

export function packPlugins(outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const tarballs = [];
  const problems = [];
  for (const dir of PUBLISHED) {
    const before = fs.readFileSync(path.join(root, dir, 'package.json'));
    const name = execFileSync(
      'npm',
      ['pack', '--silent', '--pack-destination', outDir],
      {
        cwd: path.join(root, dir),
        encoding: 'utf8',
      },
    )
      .trim()
      .split('\n')
      .pop();
    const after = fs.readFileSync(path.join(root, dir, 'package.json'));
    if (!before.equals(after))
      problems.push(`${dir}: postpack did not restore package.json`);
    const tarball = path.join(outDir, name);
    const x = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-pack-'));
    execFileSync('tar', ['xzf', tarball, '-C', x]);
    const pkg = JSON.parse(
      fs.readFileSync(path.join(x, 'package/package.json'), 'utf8'),
    );
    for (const t of targets(pkg)) {
      if (t.includes('src/'))
        problems.push(`${pkg.name}: ${t} points at sources`);
      if (!fs.existsSync(path.join(x, 'package', t))) {
        problems.push(`${pkg.name}: ${t} is not in the tarball`);
      }
    }
    fs.rmSync(x, { recursive: true, force: true });
    tarballs.push(tarball);
    console.log(`packed ${pkg.name}: ${path.relative(root, tarball)}`);
  }
  if (problems.length) {
    throw new Error(
      `Packed packages are not installable:\n${problems.join('\n')}`,
    );
  }
  return tarballs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = path.resolve(process.argv[2] ?? path.join(root, 'dist-packs'));
  try {
    packPlugins(outDir);
    console.log(`every tarball resolves main, types and exports inside it`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
