/**
 * Run by error-codes.fleet.test.ts under `prlimit --nofile=64:64 node emfile-child.js HOST PORT`:
 * opens files until the descriptor limit is reached, then connects to HOST:PORT, and prints
 * the error record of the failed connection as JSON. A child, so the test process keeps its
 * descriptors.
 */
import { openSync } from 'node:fs';
import { toErrorRecord } from '../../src/errors.js';
import { SshConnection } from '../../src/ssh/connection.js';

const [hostname = '', port = ''] = process.argv.slice(2);
try {
  for (;;) openSync('/dev/null', 'r');
} catch (error) {
  if ((error as NodeJS.ErrnoException).code !== 'EMFILE') throw error;
}
try {
  const connection = await SshConnection.open({
    label: 'target',
    hostname,
    port: Number(port),
    user: 'nobody',
    connectTimeoutMs: 5_000,
    serverAliveIntervalMs: 0,
    serverAliveCountMax: 3,
    hostKeyAlgorithms: ['ssh-ed25519'],
    verifyHostKey: async () => ({ verdict: {}, verifiedBy: 'not checked' }),
    createAuthHandler: () => () => false,
  });
  connection.close();
  console.error('connected although every descriptor was taken');
  process.exitCode = 1;
} catch (error) {
  process.stdout.write(JSON.stringify(toErrorRecord(error)));
}
