import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { hostFileName } from '../host-file-name.js';
import type { HostResult } from '../run/host-result.js';
import type { CopyTask, FetchTask, HostTask } from '../tasks/index.js';
import { listToFile } from './chunk-lists.js';
import { QueueError } from './errors.js';
import { sendFetched, withUndelivered } from './fetched-files.js';
import { runKeys } from './keys.js';

/**
 * How long a run's files stay on a worker after its last host there, when
 * the controller's "run done" never came (it was lost, or Redis was away):
 * a later host of the run gets them again from Redis while its keys last.
 */
const IDLE_RUN_MS = 10 * 60_000;

/** One run's files on this worker. */
interface RunFiles {
  dir: string;
  /** By hex SHA-256: the file once written and verified. */
  files: Map<string, Promise<string>>;
  /** Hosts of the run using them now. */
  users: number;
  /** The controller said the run is over: removed once no host uses them. */
  done: boolean;
  idle: NodeJS.Timeout | undefined;
}

/** The job a host's tasks are localised for. */
export interface LocalisedJob {
  /** The BullMQ job's id: names the host's fetch directory. */
  id: string;
  /** The host's position in the run, its attempt and its name: where its fetched files go in Redis, and its directory's name. */
  index: number;
  attempt: number;
  name: string;
}

/** A host's tasks as this worker runs them. */
export interface LocalTasks {
  tasks: HostTask[];
  /** After the host ran: what its fetches got goes to Redis (within `maxFetchBytes` for the host), and the records say what did not. */
  deliver(records: HostResult[], maxFetchBytes: number): Promise<HostResult[]>;
  /** Once the host is done with this run's files. */
  release(): void;
}

/**
 * A worker's private files of its runs: copies of the files their copies
 * send, and what their fetches get before it goes back. Each run's
 * in a directory of its own (0700, in one 0700 directory of the worker's
 * under its tmpdir), each content fetched from Redis once for every host of
 * the run here, a chunk at a time, and verified by its SHA-256 before any
 * host sends it. A run's directory goes when the controller says the run is
 * over (and no host of it is running), after IDLE_RUN_MS unused, or with the
 * worker (close()).
 */
export class WorkerContents {
  readonly #runs = new Map<string, RunFiles>();
  /** Names each run's directory apart from an earlier one of the same run still being removed. */
  #made = 0;

  private constructor(
    private readonly redis: Redis,
    /** The worker's own directory; its runs' directories are inside. */
    readonly root: string,
  ) {}

  static async create(redis: Redis): Promise<WorkerContents> {
    // mkdtemp makes it 0700: no other local user reads what the controller sent.
    return new WorkerContents(redis, await mkdtemp(path.join(tmpdir(), 'sshpool-worker-')));
  }

  /**
   * The host's tasks with each copy's files read from this worker's copies
   * (fetched now if they are not here yet); `release(runId)` once the host is done.
   * Tasks without copies come back as they are, and take nothing to release.
   * @throws QueueError CONTENT_UNAVAILABLE (the run is released already).
   */
  async localise(runId: string, job: LocalisedJob, tasks: readonly HostTask[]): Promise<LocalTasks> {
    if (!tasks.some((task) => task.kind === 'copy' || task.kind === 'fetch')) return { tasks: [...tasks], deliver: (records) => Promise.resolve(records), release: () => undefined };
    const run = await this.#acquire(runId);
    const release = (): void => this.#release(runId, run);
    const fetchDir = path.join(run.dir, `fetch-${job.id}`);
    try {
      const localised = await Promise.all(
        tasks.map((task, index) => {
          if (task.kind === 'copy') return this.#localiseCopy(runId, run, task as CopyTask);
          // Fetched here first, each task into a directory of its own, then sent back.
          if (task.kind === 'fetch') return { ...(task as FetchTask), localDir: path.join(fetchDir, String(index)) };
          return task;
        }),
      );
      const deliver = async (records: HostResult[], maxFetchBytes: number): Promise<HostResult[]> => {
        try {
          return await this.#deliver(runKeys(runId), job, localised, records, maxFetchBytes);
        } finally {
          await rm(fetchDir, { recursive: true, force: true });
        }
      };
      return { tasks: localised, deliver, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Each fetch's files to Redis, the host's bytes within `maxFetchBytes`; a file past it is its record's FILE_OVER_REDIS_LIMIT. */
  async #deliver(keys: ReturnType<typeof runKeys>, job: LocalisedJob, tasks: readonly HostTask[], records: HostResult[], maxFetchBytes: number): Promise<HostResult[]> {
    let room = maxFetchBytes;
    const delivered = [...records];
    for (const [index, task] of tasks.entries()) {
      if (task.kind !== 'fetch' || !delivered[index]) continue;
      const hostDir = path.join((task as FetchTask).localDir, hostFileName(job.name, ''));
      const { bytes, refused } = await sendFetched(this.redis, keys.fetched(job.index, job.attempt, index), hostDir, room);
      room -= bytes;
      const errors = refused.map((file) => ({
        path: file.path,
        code: 'FILE_OVER_REDIS_LIMIT',
        message: `${job.name}: ${file.path} (${file.size} bytes) was fetched by the worker but not sent back: the host's files through Redis would pass redis-max-fetch (${maxFetchBytes} bytes)`,
      }));
      delivered[index] = withUndelivered(delivered[index], { errors, files: refused.length, bytes: refused.reduce((sum, file) => sum + file.size, 0) });
    }
    return delivered;
  }

  /** The controller's "run done": its files go now, or when its last host here ends. */
  runDone(runId: string): void {
    const run = this.#runs.get(runId);
    if (!run) return;
    run.done = true;
    if (run.users === 0) this.#remove(runId, run);
  }

  /** With the worker: every run's files go. */
  async close(): Promise<void> {
    for (const run of this.#runs.values()) clearTimeout(run.idle);
    this.#runs.clear();
    await rm(this.root, { recursive: true, force: true });
  }

  async #acquire(runId: string): Promise<RunFiles> {
    let run = this.#runs.get(runId);
    if (!run) {
      const dir = path.join(this.root, `${runId}-${++this.#made}`);
      run = { dir, files: new Map(), users: 0, done: false, idle: undefined };
      this.#runs.set(runId, run);
    }
    clearTimeout(run.idle);
    run.users += 1;
    await mkdir(run.dir, { recursive: true, mode: 0o700 });
    return run;
  }

  #release(runId: string, run: RunFiles): void {
    run.users -= 1;
    if (run.users > 0) return;
    if (run.done) {
      this.#remove(runId, run);
      return;
    }
    run.idle = setTimeout(() => this.#remove(runId, run), IDLE_RUN_MS);
    run.idle.unref();
  }

  #remove(runId: string, run: RunFiles): void {
    clearTimeout(run.idle);
    if (this.#runs.get(runId) === run) this.#runs.delete(runId);
    void rm(run.dir, { recursive: true, force: true });
  }

  async #localiseCopy(runId: string, run: RunFiles, task: CopyTask): Promise<CopyTask> {
    const sources = [];
    for (const source of task.sources) {
      const entries = [];
      for (const entry of source.entries) {
        entries.push(entry.kind === 'file' && entry.sha256 !== undefined ? { ...entry, from: await this.#file(runId, run, entry.sha256, entry.size) } : entry);
      }
      sources.push({ ...source, entries });
    }
    return { ...task, sources };
  }

  /** The content's path here, fetched once per run (hosts that want it meanwhile wait for the same fetch). */
  #file(runId: string, run: RunFiles, sha256: string, size: number): Promise<string> {
    let file = run.files.get(sha256);
    if (!file) {
      file = this.#fetch(runKeys(runId).content(sha256), path.join(run.dir, sha256), sha256, size);
      run.files.set(sha256, file);
      // A failed fetch is tried again by the next host that wants it.
      file.catch(() => run.files.delete(sha256));
    }
    return file;
  }

  /** Written a chunk at a time to a temporary name, hashed as it is written, renamed once its SHA-256 and size are the task's. */
  async #fetch(key: string, target: string, sha256: string, size: number): Promise<string> {
    const partial = `${target}.part`;
    const hash = createHash('sha256');
    try {
      const handle = await open(partial, 'w', 0o600);
      let written: number;
      try {
        written = await listToFile(this.redis, key, handle, (chunk) => hash.update(chunk));
      } finally {
        await handle.close();
      }
      // An empty file has no list: its size says so.
      if (written === 0 && size > 0) throw new Error('it is not in Redis (the run ended, or its keys expired)');
      if (written !== size || hash.digest('hex') !== sha256) throw new Error(`Redis holds ${written} bytes that are not the file's (${size} bytes, SHA-256 ${sha256})`);
      await rename(partial, target);
      return target;
    } catch (error) {
      await rm(partial, { force: true });
      throw new QueueError('CONTENT_UNAVAILABLE', `copy's file ${sha256}: ${(error as Error).message}`, { cause: error });
    }
  }
}
