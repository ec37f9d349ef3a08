import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { InventoryError, loadInventory } from '../../src/inventory/index.js';
import type { Inventory } from '../../src/inventory/index.js';

/** A temp directory holding `files` (relative path → text); removed by cleanup(). */
export async function tempFiles(files: Record<string, string>): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sshpool-inventory-'));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Loads one YAML text as an inventory file named `inventory.yml`. */
export async function inventoryFrom(yaml: string): Promise<Inventory> {
  const { dir, cleanup } = await tempFiles({ 'inventory.yml': yaml });
  try {
    return await loadInventory(['inventory.yml'], { cwd: dir });
  } finally {
    await cleanup();
  }
}

/** Loads one YAML text expecting failure; returns the error. */
export async function loadError(yaml: string): Promise<unknown> {
  try {
    await inventoryFrom(yaml);
  } catch (error) {
    return error;
  }
  throw new Error('expected the inventory to be rejected');
}

export function names(hosts: readonly { name: string }[]): string[] {
  return hosts.map((host) => host.name);
}

/** Loads `sources` from a temp directory holding `files`; the error if loading fails. */
export async function loadFiles(files: Record<string, string | Uint8Array>, sources: string[]): Promise<Inventory | InventoryError> {
  const dir = await mkdtemp(join(tmpdir(), 'sshpool-inventory-'));
  try {
    for (const [name, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), content);
    }
    return await loadInventory(sources, { cwd: dir });
  } catch (error) {
    if (error instanceof InventoryError) return error;
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
