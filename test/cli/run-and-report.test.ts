import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'chai';
import { runAndReport } from '../../src/cli/run-and-report.js';
import { streamCommand } from '../../src/run/host-run.js';
import { SshConfigError } from '../../src/ssh/ssh-config.js';
import { capture } from '../helpers/records.js';
import { rejectionOf } from '../helpers/rejection.js';

describe('runAndReport when the run fails before it gives records', () => {
  it('takes the progress line off the terminal and never draws it again after the error', async () => {
    const stderr = capture(true, 100);
    const io = { stdout: capture(false).stream, stderr: stderr.stream, setExitCode: () => {} };
    const hosts = [{ name: 'web1', vars: {}, groups: ['all'] }];
    // A real run that fails as it starts: the ssh_config it is told to read does not exist.
    const start = () => streamCommand(hosts, 'true', { sshConfigFile: '/nonexistent/ssh_config' });
    const error = await rejectionOf(runAndReport(io, hosts, { progress: true }, start));
    expect(error).to.be.instanceOf(SshConfigError);
    const written = stderr.text();
    // Three redraw intervals (200 ms each): the line would be drawn again by now if its timer still ran.
    await delay(600);
    expect(stderr.text()).to.equal(written);
  });
});
