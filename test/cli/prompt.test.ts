import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const promptModule = fileURLToPath(new URL('../../src/cli/prompt.js', import.meta.url));
const script = `const { promptHidden } = await import(${JSON.stringify(promptModule)});
promptHidden('Secret: ').then((secret) => console.log('GOT[' + secret + ']'), (error) => console.log('ERR[' + error.code + ']'));`;

/** Runs the prompt in a child; `answer` is typed once the prompt shows. Resolves with all output. */
function runPrompt(command: string, args: string[], answer?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (answer !== undefined && output.includes('Secret: ')) {
        child.stdin.write(answer);
        answer = undefined;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(output);
    });
  });
}

describe('promptHidden', () => {
  it('fails with NO_TTY when there is no controlling terminal', async () => {
    const output = await runPrompt('setsid', ['-w', process.execPath, '--input-type=module', '-e', script]);
    expect(output).to.contain('ERR[NO_TTY]');
  });

  it('reads from the terminal without echo, honouring backspace', async () => {
    const command = `${process.execPath} --input-type=module -e ${shellQuote(script)}`;
    const output = await runPrompt('script', ['-qec', command, '/dev/null'], 'hunter3\u007f2\r');
    expect(output).to.contain('GOT[hunter2]');
    expect(output.replace('GOT[hunter2]', '')).to.not.contain('hunter');
  });
});

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
