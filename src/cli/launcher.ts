#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { runBundle } from './code-cache.js';

// V8 lets the old generation grow to up to 4× what was live at the last full collection before the
// next (throughput first); in a 10,000-host run that is ~250 MB of garbage over ~60 MB live. 1.5× keeps
// the process's peak near the live size for a few per cent more time collecting (bench/fanout).
// bin/sshpool gives it on node's command line: loading node:v8 to set it here took ~3 ms of each start.
// The code cache is valid under the same flags either way.
const HEAP_GROWING = '--heap-growing-percent=50';
if (!process.execArgv.includes(HEAP_GROWING)) process.getBuiltinModule('node:v8').setFlagsFromString(HEAP_GROWING);

// The `sshpool` binary: the CLI itself is dist/sshpool-bundle.cjs, started from V8's code cache (see code-cache.ts).
runBundle(fileURLToPath(new URL('./sshpool-bundle.cjs', import.meta.url)), process.argv[2] ?? '');
