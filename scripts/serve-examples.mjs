#!/usr/bin/env node
// `npm run example`: serve the repository's dist/ and docs/examples/ on 127.0.0.1 (a secure
// context, as AudioWorklet needs) and print the example page's address. PORT overrides 8080.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.map': 'application/json', '.css': 'text/css', '.png': 'image/png', '.wav': 'audio/wav' };
const allowed = ['dist/', 'docs/examples/'];

export function startServer(port = Number(process.env.PORT ?? 8080)) {
  const server = createServer((req, res) => {
    let decoded;
    try {
      decoded = decodeURIComponent((req.url ?? '/').split('?')[0]);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
      return;
    }
    if (decoded === '/') {
      res.writeHead(302, { location: '/docs/examples/worklet/' }).end();
      return;
    }
    const path = normalize(decoded).replace(/^\/+/, '');
    const rel = path.endsWith('/') ? `${path}index.html` : path;
    const file = join(root, rel);
    if (!allowed.some((a) => rel.startsWith(a)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (!existsSync(join(root, 'dist/masterbus-worklet.js'))) {
    console.error('dist/ is missing: run `npm run build` first (npm run example does).');
    process.exit(1);
  }
  const server = await startServer();
  console.log(`masterbus worklet example: http://127.0.0.1:${server.address().port}/docs/examples/worklet/`);
}
