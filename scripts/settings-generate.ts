/**
 * Writes what is generated from the settings schema: config/default.yaml and
 * the README's settings table and settings reference. test/settings/schema.test.ts fails when
 * either differs from the schema, so run this after changing a setting.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderDefaultYaml, replaceGeneratedParts } from '../src/settings/render.js';

const root = (file: string) => fileURLToPath(new URL(`../../${file}`, import.meta.url));

writeFileSync(root('config/default.yaml'), renderDefaultYaml());
const readme = root('README.md');
writeFileSync(readme, replaceGeneratedParts(readFileSync(readme, 'utf8')));
console.log('wrote config/default.yaml and the settings table and reference of README.md');
