// Injected into the CommonJS bundle of the CLI (see "bundle" in package.json): import.meta.url as the bundle's own URL.
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href;
