// `npm run lint:package`: pack the package as npm would publish it (dist/ must be built), then
// lint the tarball with publint (warnings are errors) and @arethetypeswrong/cli (every entry
// point under node10, node16 from CJS and from ESM, and bundler resolution). Exits non-zero on
// any problem. Prints the tarball's size.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);

if (!existsSync(join(root, 'dist', 'index.js'))) {
  console.error('lint:package: dist/ is missing; run `npm run build` first');
  process.exit(1);
}

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.error) throw r.error;
  return r.status ?? 1;
};

const dir = mkdtempSync(join(tmpdir(), 'masterbus-pack-'));
let failed = false;
try {
  const pack = spawnSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
  if (pack.status !== 0) {
    console.error(pack.stderr);
    process.exit(1);
  }
  const [info] = JSON.parse(pack.stdout);
  const tarball = join(dir, info.filename);
  console.log(`== ${info.filename}: ${(info.size / 1000).toFixed(1)} kB packed, ${(info.unpackedSize / 1000).toFixed(1)} kB unpacked, ${info.entryCount} files`);

  console.log('== publint (--strict: warnings are errors)');
  if (run(bin('publint'), ['run', tarball, '--strict']) !== 0) failed = true;

  console.log('== @arethetypeswrong/cli (profile strict: node10, node16 CJS and ESM, bundler)');
  if (run(bin('attw'), [tarball, '--profile', 'strict', '--format', 'table-flipped', '--no-color']) !== 0) failed = true;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (failed) {
  console.error('lint:package: problems found (see above)');
  process.exit(1);
}
console.log('lint:package: no problems');
