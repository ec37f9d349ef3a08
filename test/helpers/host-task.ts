import type { InventoryHost } from '../../src/inventory/index.js';
import { Pool } from '../../src/pool/index.js';
import type { HostResult } from '../../src/run/host-result.js';
import { runHostTask } from '../../src/run/host-task.js';
import type { HostTaskListener } from '../../src/run/host-task.js';
import type { RunOptions } from '../../src/settings/run-options.js';
import { SessionCache } from '../../src/session/session-cache.js';
import { resolveTarget } from '../../src/ssh/target-settings.js';
import { defaultExecutors } from '../../src/tasks/index.js';
import type { ExecutorRegistry, HostTask } from '../../src/tasks/index.js';

/**
 * One host task as a run makes it (real SessionCache, in a pool task), with the
 * tasks and executors the test chooses, so a test can act between two of them
 * (freeze the server after authentication, count listeners). `pool.terminate()`
 * is Ctrl-C.
 */
export async function startHostTask(
  host: InventoryHost,
  tasks: readonly HostTask[],
  options: RunOptions,
  executors: ExecutorRegistry = defaultExecutors(),
  listener?: HostTaskListener,
): Promise<{ pool: Pool; results: Promise<HostResult[]> }> {
  const sessions = await SessionCache.create(options);
  const target = resolveTarget(host, options, sessions.sshConfig);
  if (target.kind === 'refused') throw target.error;
  await sessions.prepare(target.kind === 'ssh' ? [target] : []);
  const pool = new Pool({ size: 1 });
  const results = pool.submit((task) => runHostTask({ cache: sessions, keep: false }, target, 1, { tasks, executors, listener }, task)).get();
  pool.close();
  return { pool, results: results.finally(() => sessions.close()) };
}
