import { expect } from 'chai';
import { runCliProcess } from '../helpers/cli-process.js';

describe('--help (the real binary)', function () {
  this.timeout(60_000);

  it('lists every command, with examples', async () => {
    const { code, stdout } = await runCliProcess(['--help']);
    expect(code).to.equal(0);
    for (const command of ['run', 'ping', 'shell', 'inventory', 'config', 'completion']) expect(stdout).to.match(new RegExp(`^  sshpool ${command}\\b`, 'm'));
    expect(stdout).to.include('Examples:\n  sshpool run -i hosts.yaml -l web -- uptime');
  });

  for (const [command, example] of [
    ['run', 'sshpool run -i hosts.yaml -- uptime'],
    ['ping', 'sshpool ping -i hosts.yaml -l web'],
    ['shell', 'sshpool shell -i hosts.yaml -l web'],
    ['inventory', 'sshpool inventory -i hosts.yaml --list'],
    ['config', 'sshpool config --json'],
    ['completion', 'source <(sshpool completion bash)'],
  ] as const) {
    it(`sshpool ${command} --help has its own usage and examples`, async () => {
      const { code, stdout } = await runCliProcess([command, '--help']);
      expect(code).to.equal(0);
      expect(stdout).to.match(new RegExp(`^sshpool ${command}\\b`));
      expect(stdout.slice(stdout.indexOf('Examples:'))).to.include(example);
    });
  }

  it("sshpool shell --help takes the settings of reaching hosts and running commands, not run's output modes or policies", async () => {
    const { stdout } = await runCliProcess(['shell', '--help']);
    for (const flag of ['--forks', '--timeout', '--connect-timeout', '--known-hosts', '--sanitize', '--stream']) expect(stdout).to.include(flag);
    for (const flag of ['--output', '--max-fail', '--batch', '--results']) expect(stdout).to.not.include(flag);
  });
});
