/**
 * Writes the published JSON Schemas, docs/schema/*.schema.json, from the rule tables
 * (`npm run schemas`). test/schema.test.ts fails when the committed files differ from these.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { publishedSchemas } from '../src/schema.js';

const dir = fileURLToPath(new URL('../docs/schema/', import.meta.url));
mkdirSync(dir, { recursive: true });
for (const [file, schema] of Object.entries(publishedSchemas())) {
  writeFileSync(dir + file, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote docs/schema/${file}`);
}
