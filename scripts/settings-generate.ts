/**
 * Writes what is generated from the settings schema: config/default.yaml and
 * the README's settings table. test/settings/generated.test.ts fails when
 * either differs from the schema, so run this after changing a setting.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderDefaultYaml, replaceSettingsTable } from '../src/settings/render.js';

const root = (file: string) => fileURLToPath(new URL(`../../${file}`, import.meta.url));

writeFileSync(root('config/default.yaml'), renderDefaultYaml());
const readme = root('README.md');
writeFileSync(readme, replaceSettingsTable(readFileSync(readme, 'utf8')));
console.log('wrote config/default.yaml and the settings table of README.md');
