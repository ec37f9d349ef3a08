import { expect } from 'chai';
import { existsSync, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostRun } from '../../src/run/host-run.js';
import type { HostResult } from '../../src/run/host-result.js';
import { commandTask, PING_TASK, UnknownTaskKindError } from '../../src/tasks/index.js';
import type { CleanupDetail, HostTask, WithCleanupTask } from '../../src/tasks/index.js';
import { Fleet } from '../fleet/index.js';
import { inventoryHostsFor, isolatedOptions } from '../helpers/fleet-hosts.js';

/** A record without what differs from one run to the next (timing, slot). */
function stable(result: HostResult): Partial<HostResult> {
  const { startedAt: _startedAt, durationMs: _durationMs, slot: _slot, ...rest } = result;
  return rest;
}

describe('host tasks as plain data, run by the executor of their kind', function () {
  this.timeout(60_000);
  let fleet: Fleet;
  let scratch: string;

  before(async () => {
    fleet = await Fleet.start({ hosts: 3 });
  });
  beforeEach(() => {
    // The fleet's sshd runs on this machine: what its user leaves in here, the test can see.
    scratch = mkdtempSync(join(tmpdir(), 'sshpool-tasks-'));
    chmodSync(scratch, 0o777);
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));
  after(async () => {
    await fleet?.stop();
  });

  const output = { maxOutputBytes: 4096 };
  /** Main leaves a file behind; the cleanup removes it and says so. */
  const leftover = () => join(scratch, 'leftover');
  const withCleanup = (main: string, timeoutMs?: number): WithCleanupTask => ({
    kind: 'with-cleanup',
    main: commandTask(`touch ${leftover()}; ${main}`, { ...output, timeoutMs }),
    cleanup: commandTask(`rm ${leftover()} && echo cleaned`, { ...output, timeoutMs: 10_000 }),
  });
  const cleanupOf = (result: HostResult) => result.detail?.cleanup as CleanupDetail | undefined;
  const run = (tasks: readonly HostTask[], hosts = inventoryHostsFor(fleet, [fleet.host('h01')]), extra = {}) => new HostRun(hosts, tasks, { ...isolatedOptions(fleet), ...extra });

  it('a task survives JSON.parse(JSON.stringify(task)) and runs the same', async () => {
    const tasks: HostTask[] = [commandTask('echo "out $((6 * 7))"; echo err >&2; exit 3', { ...output, timeoutMs: 5000 }), PING_TASK, withCleanup('echo main')];
    const copies = JSON.parse(JSON.stringify(tasks)) as HostTask[];
    expect(copies).to.deep.equal(tasks);
    const original = (await run(tasks).results).map(stable);
    const copied = (await run(copies).results).map(stable);
    expect(copied).to.deep.equal(original);
    expect(original.map((result) => [result.kind, result.command, result.status])).to.deep.equal([
      ['command', 'echo "out $((6 * 7))"; echo err >&2; exit 3', 'failed'],
      ['ping', null, 'ok'],
      ['with-cleanup', `touch ${leftover()}; echo main`, 'ok'],
    ]);
    expect(original[0]).to.include({ stdout: 'out 42\n', stderr: 'err\n', exitCode: 3 });
    expect(original[0]).to.not.have.property('detail');
  });

  it('a task of a kind no executor is registered for (also a composite’s step) is refused before any host is contacted', async () => {
    for (const task of [{ kind: 'upload' }, { ...withCleanup('true'), cleanup: { kind: 'upload' } }]) {
      const refused = run([commandTask('true', output), task]);
      let started = false;
      refused.on('hostStart', () => (started = true));
      const error = await refused.results.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).to.be.instanceOf(UnknownTaskKindError).and.include({ code: 'TASK_KIND_UNKNOWN', kind: 'upload' });
      expect((error as Error).message).to.equal('unknown task kind "upload": the registered kinds are command, ping, with-cleanup, script, copy, fetch');
      expect(started).to.equal(false);
    }
  });

  describe('with-cleanup: main, then the cleanup whatever main’s outcome, on the same session', () => {
    it('cleans up after a failing main and keeps main’s outcome, output and exit code', async () => {
      const [result] = await run([withCleanup('echo main; exit 3')]).results;
      expect(result).to.include({ kind: 'with-cleanup', status: 'failed', exitCode: 3, stdout: 'main\n' });
      expect(cleanupOf(result!)).to.include({ kind: 'command', command: `rm ${leftover()} && echo cleaned`, status: 'ok', exitCode: 0, stdout: 'cleaned\n' });
      expect(result).to.not.have.property('warnings');
      expect(existsSync(leftover())).to.equal(false);
    });

    it('cleans up after a main that timed out and was killed', async () => {
      const [result] = await run([withCleanup('sleep 30', 500)]).results;
      expect(result).to.include({ status: 'timeout' });
      expect(result!.error!.code).to.equal('COMMAND_TIMEOUT');
      expect(cleanupOf(result!)).to.include({ status: 'ok', stdout: 'cleaned\n' });
      expect(existsSync(leftover())).to.equal(false);
    });

    it('reports a failing cleanup in detail and warnings, and keeps main’s outcome', async () => {
      const task: WithCleanupTask = { kind: 'with-cleanup', main: commandTask('echo fine', output), cleanup: commandTask('echo cannot >&2; exit 4', output) };
      const [result] = await run([task]).results;
      expect(result).to.include({ status: 'ok', exitCode: 0, stdout: 'fine\n', error: null });
      expect(cleanupOf(result!)).to.include({ status: 'failed', exitCode: 4, stderr: 'cannot\n' });
      expect(result!.warnings).to.deep.equal(['cleanup failed: exit code 4']);
    });

    it('streams main’s output live and not the cleanup’s', async () => {
      const hostRun = run([withCleanup('echo main')]);
      const streamed: string[] = [];
      hostRun.on('output', ({ chunk }) => streamed.push(chunk.toString()));
      const ends: number[] = [];
      hostRun.on('outputEnd', ({ command }) => ends.push(command));
      await hostRun.results;
      expect(streamed.join('')).to.equal('main\n');
      expect(ends).to.deep.equal([0]);
    });

    it('stopped mid-main: main is killed and the cleanup still runs; a host not started by then is skipped without a cleanup', async () => {
      const hosts = inventoryHostsFor(fleet, [fleet.host('h01'), fleet.host('h02')]);
      const hostRun = run([withCleanup('echo started; sleep 30')], hosts, { forks: 1 });
      hostRun.on('output', ({ chunk }) => chunk.toString().includes('started') && hostRun.stop());
      const [stopped, notStarted] = await hostRun.results;
      expect(stopped).to.include({ host: 'h01', status: 'failed' });
      expect(stopped!.error!.code).to.equal('ABORTED');
      expect(cleanupOf(stopped!)).to.include({ status: 'ok', stdout: 'cleaned\n' });
      expect(existsSync(leftover())).to.equal(false);
      expect(notStarted).to.include({ host: 'h02', status: 'skipped', kind: 'with-cleanup' });
      expect(notStarted).to.not.have.property('detail');
    });
  });
});
