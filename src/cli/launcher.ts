#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { runBundle } from './code-cache.js';

// The `sshpool` binary: the CLI itself is dist/sshpool-bundle.cjs, started from V8's code cache (see code-cache.ts).
runBundle(fileURLToPath(new URL('./sshpool-bundle.cjs', import.meta.url)), process.argv[2] ?? '');
