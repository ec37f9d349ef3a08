import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The compiled helper runs from build/test/helpers; the Python side stays in the source tree. */
const SERVER = fileURLToPath(new URL('../../../test/helpers/ansible-cli.py', import.meta.url));

export type AnsibleCommand = 'ansible' | 'ansible-inventory';

export interface AnsibleOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The real ansible-core command lines, run by `ansible-cli.py` servers (each forks a fresh process per
 * command from one that imported ansible once, which saves ~0.5 s of CPU per command). `processes`
 * servers run side by side; each answers its requests in order.
 */
export class AnsibleCli {
  private constructor(private readonly servers: readonly Server[]) {}

  /** `python` must be the interpreter ansible runs on (`ansible --version` names it). */
  static start(options: { python: string; cwd: string; env: NodeJS.ProcessEnv; processes: number }): AnsibleCli {
    return new AnsibleCli(Array.from({ length: options.processes }, () => new Server(options.python, options.cwd, options.env)));
  }

  run(command: AnsibleCommand, args: readonly string[]): Promise<AnsibleOutput> {
    const idlest = this.servers.reduce((best, server) => (server.pending < best.pending ? server : best));
    return idlest.request(command, args);
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.close()));
  }
}

class Server {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<{ resolve: (output: AnsibleOutput) => void; reject: (error: Error) => void }> = [];
  private readonly exited: Promise<void>;
  /** Why the server is gone, once it is. */
  private failure: Error | undefined;

  constructor(python: string, cwd: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(python, [SERVER], { cwd, env, stdio: 'pipe' });
    let stderr = '';
    this.child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A write to a server that has died fails here; the requests waiting on it are rejected on 'close'.
    this.child.stdin.on('error', () => {});
    this.child.on('error', (error) => (stderr += String(error)));
    createInterface({ input: this.child.stdout, crlfDelay: Infinity }).on('line', (line) => {
      this.waiting.shift()?.resolve(JSON.parse(line) as AnsibleOutput);
    });
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        this.failure = new Error(`${SERVER} exited (${code}): ${stderr}`);
        for (const { reject } of this.waiting.splice(0)) reject(this.failure);
        resolve();
      }),
    );
  }

  get pending(): number {
    return this.waiting.length;
  }

  request(command: AnsibleCommand, args: readonly string[]): Promise<AnsibleOutput> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.stdin.write(`${JSON.stringify([command, args])}\n`);
    });
  }

  close(): Promise<void> {
    this.child.stdin.end();
    return this.exited;
  }
}
