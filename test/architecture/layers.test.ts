import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const SRC = fileURLToPath(new URL('../../../src', import.meta.url));

/**
 * The layers of src/, lowest first: a file may import its own layer and those
 * below it, never one above. The data path, one way: inventory → settings →
 * ssh → session → tasks/run → output → cli. Under them the shared basics and
 * the Pool (a general library, no SSH in it); above them the package root.
 */
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['errors.ts', 'secret.ts', 'timer-delay.ts', 'shell-quote.ts', 'host-file-name.ts', 'xdg-directory.ts', 'deferred-ca-certs.ts', 'made-on-first-use.ts'],
  ['pool'],
  ['inventory'],
  ['settings'],
  ['ssh'],
  ['session'],
  ['tasks', 'scheduler', 'run'],
  ['queue'],
  ['output'],
  ['cli'],
  ['index.ts'],
];

function layerOf(file: string): number {
  const name = file.split('/')[0]!;
  const index = LAYERS.findIndex((layer) => layer.includes(name));
  if (index === -1) throw new Error(`src/${file} is in no layer: add its folder to LAYERS`);
  return index;
}

function sourceFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix + entry.name;
    if (entry.isDirectory()) return sourceFiles(path.join(dir, entry.name), `${relative}/`);
    return relative.endsWith('.ts') ? [relative] : [];
  });
}

/** The src/-relative .ts files a module imports (static, type-only, re-exports and dynamic imports alike). */
function importsOf(file: string, text: string): string[] {
  const specifiers = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((match) => match[1]!);
  return specifiers.map((specifier) => path.posix.join(path.posix.dirname(file), specifier).replace(/\.js$/, '.ts'));
}

/** "importer -> imported" for every import that climbs to a higher layer. */
function climbs(modules: ReadonlyMap<string, readonly string[]>): string[] {
  return [...modules].flatMap(([file, imports]) => imports.filter((imported) => layerOf(imported) > layerOf(file)).map((imported) => `${file} -> ${imported}`));
}

describe('layers of src/: nothing imports from a layer above its own', () => {
  const modules = new Map(sourceFiles(SRC).map((file) => [file, importsOf(file, readFileSync(path.join(SRC, file), 'utf8'))]));

  it('finds the imports of every module (the scan sees what it checks)', () => {
    expect(modules.get('ssh/remote-command.ts')).to.include('ssh/capped-output.ts');
    expect(modules.get('run/host-run.ts')).to.include.members(['session/session-cache.ts', 'ssh/target-settings.ts', 'errors.ts']);
    expect(modules.get('index.ts')).to.include('run/host-run.ts');
  });

  it('has no climb', () => {
    expect(climbs(modules)).to.deep.equal([]);
  });

  it('nothing in src/ssh imports from src/session or above (ssh is below the sessions built on it)', () => {
    const upward = [...modules].filter(([file]) => file.startsWith('ssh/')).flatMap(([, imports]) => imports.filter((imported) => layerOf(imported) > layerOf('ssh/x.ts')));
    expect(upward).to.deep.equal([]);
  });

  it('reports an import from a higher layer, type-only and re-exports included', () => {
    const text = ["import type { HostRun } from '../run/host-run.js';", "export { SessionCache } from '../session/session-cache.js';", "import { Pool } from '../pool/index.js';"].join('\n');
    expect(climbs(new Map([['ssh/made-up.ts', importsOf('ssh/made-up.ts', text)]]))).to.deep.equal([
      'ssh/made-up.ts -> run/host-run.ts',
      'ssh/made-up.ts -> session/session-cache.ts',
    ]);
  });

  it('places a folder it does not know in no layer, rather than letting it pass', () => {
    expect(() => layerOf('plugins/x.ts')).to.throw(/src\/plugins\/x.ts is in no layer/);
  });
});
