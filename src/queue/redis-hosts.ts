import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { SshpoolError } from '../errors.js';
import type { HostResult } from '../run/host-result.js';
import type { HostTaskListener } from '../run/host-task.js';
import type { RemoteHost, RemoteHosts, RemoteRunPlan } from '../run/remote-hosts.js';
import type { HostTask } from '../tasks/index.js';
import { QueueError } from './errors.js';
import { decodeTasks, encodeTasks } from './job-data.js';
import { bullmq } from './libraries.js';
import type { HostJob, StoredRunPlan } from './job-data.js';
import { CANCEL_CHANNEL, jobId, queueName, RUN_DONE_CHANNEL, RUN_TTL_SECONDS, runKeys } from './keys.js';
import type { RunKeys } from './keys.js';
import { connectRedis, redactedUrl, watchConnection } from './redis-connection.js';
import { parseRunEvent } from './run-events.js';
import { DEFAULT_MAX_FETCH_BYTES, receiveFetched, withUndelivered } from './fetched-files.js';
import { hostFileName } from '../host-file-name.js';
import type { FetchTask } from '../tasks/index.js';
import path from 'node:path';
import { deleteContents, storeContents } from './run-contents.js';
import { settingByKey } from '../settings/schema.js';
import { parseBytes } from '../settings/values.js';

/** Options of RedisHosts.connect. */
export interface RedisHostsOptions {
  /** redis://[:PASSWORD@]HOST:PORT[/DB], or rediss:// for TLS. */
  url: string;
  /**
   * Queue nothing: gather the records of this earlier run (its controller
   * was lost), waiting for the hosts its workers still have; hosts it never
   * queued are skipped.
   */
  attach?: string;
  /** Said as it happens: Redis lost, Redis back. */
  notify?: (message: string) => void;
  /** The bytes of distinct file contents a run's copies may store in Redis (default `redis-max-upload`'s, 256 MiB); above it, open() refuses. */
  maxUploadBytes?: number;
  /** The bytes of one host's files a fetch may send back through Redis (default `redis-max-fetch`'s, 256 MiB); workers keep the rest, and say so in the record. */
  maxFetchBytes?: number;
}

/** What an attached run is made of. */
export interface AttachedRun {
  /** The tasks its hosts ran. */
  tasks: HostTask[];
  /** Its hosts' names, in input order. */
  hosts: readonly string[];
}

/** A host queued and not yet finished: where its output and records go. */
interface PendingHost {
  listener: HostTaskListener;
  resolve(records: HostResult[] | SshpoolError): void;
}

/** Events read from the run's stream at once; the stream is trimmed behind them. */
const EVENTS_PER_READ = 1000;
/** How long one blocking read waits before the loop looks whether the run is over. */
const READ_BLOCK_MS = 1000;

/**
 * A HostRun's hosts done by `sshpool worker` processes through Redis and
 * BullMQ (its `remote` option): one job per host and attempt, queued when the
 * run's scheduler starts the host (so forks bounds the whole run, and
 * max-fail, batches and order stay the controller's); each worker writes the
 * host's records to the run's hash and announces them, with its live output,
 * on the run's stream, which this reads and trims. A run's id names its keys:
 * `attach` reads them again after a lost controller.
 */
export class RedisHosts implements RemoteHosts {
  /** The id of the run's keys and jobs; printed at start, kept in the results file. */
  readonly runId: string;
  /** The earlier run's plan when attached; undefined for a run of its own. */
  readonly attached: StoredRunPlan | undefined;
  readonly #keys: RunKeys;
  readonly #queues = new Map<string, Queue>();
  readonly #pending = new Map<string, PendingHost>();
  #reading: Promise<void> | undefined;
  /** The run's tasks, once open(): whose file contents close() deletes. */
  #tasks: readonly HostTask[] | undefined;
  #closed = false;

  private constructor(
    private readonly library: ReturnType<typeof bullmq>,
    private readonly redis: Redis,
    private readonly reader: Redis,
    private readonly unwatch: () => void,
    runId: string,
    attached: StoredRunPlan | undefined,
    private readonly maxUploadBytes: number,
    private readonly maxFetchBytes: number,
  ) {
    this.runId = runId;
    this.attached = attached;
    this.#keys = runKeys(runId);
  }

  /**
   * Connects (twice: one connection blocks on the run's stream), before anything is queued.
   * @throws QueueError REDIS_UNAVAILABLE; RUN_NOT_FOUND for an `attach` id whose plan Redis does not hold.
   */
  static async connect(options: RedisHostsOptions): Promise<RedisHosts> {
    const redis = await connectRedis(options.url);
    let attached: StoredRunPlan | undefined;
    if (options.attach !== undefined) {
      const text = await redis.get(runKeys(options.attach).plan);
      if (text === null) {
        redis.disconnect();
        throw new QueueError('RUN_NOT_FOUND', `--attach ${options.attach}: Redis at ${redactedUrl(options.url)} holds no such run (its keys expire ${RUN_TTL_SECONDS / 86400} days after it started)`);
      }
      attached = JSON.parse(text) as StoredRunPlan;
    }
    // Loaded only by a run through Redis: a plain run never pays for BullMQ.
    const library = bullmq();
    const unwatch = watchConnection(redis, options.url, options.notify ?? (() => undefined));
    return new RedisHosts(library, redis, redis.duplicate(), unwatch, options.attach ?? randomBytes(8).toString('hex'), attached, options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES, options.maxFetchBytes ?? DEFAULT_MAX_FETCH_BYTES);
  }

  /** An attached run's tasks and hosts, as its plan holds them (for a HostRun that gathers them). */
  attachedRun(): AttachedRun | undefined {
    return this.attached ? { tasks: decodeTasks(this.attached.tasks), hosts: this.attached.hosts } : undefined;
  }

  /**
   * Writes the run's plan, after the contents of its copies' files (each
   * distinct one once; refused above `maxUploadBytes`), before any job.
   * @throws UploadTooLargeError UPLOAD_TOO_LARGE; QueueError CONTENT_CHANGED; UsageError for a copy task made without its files' SHA-256.
   */
  async open(plan: RemoteRunPlan): Promise<void> {
    this.#tasks = plan.tasks;
    if (!this.attached) {
      await storeContents(this.redis, this.#keys, plan.tasks, this.maxUploadBytes);
      const fetches = plan.tasks.some((task) => task.kind === 'fetch');
      const stored: StoredRunPlan = {
        version: 1,
        tasks: encodeTasks(plan.tasks),
        hosts: plan.hosts,
        connection: plan.connection,
        createdAt: new Date().toISOString(),
        ...(fetches ? { maxFetchBytes: this.maxFetchBytes } : {}),
      };
      await this.redis.set(this.#keys.plan, JSON.stringify(stored), 'EX', RUN_TTL_SECONDS);
    }
    this.#reading = this.#readEvents();
  }

  async run(host: RemoteHost, attempt: number, tasks: readonly HostTask[] | undefined, signal: AbortSignal, listener: HostTaskListener): Promise<HostResult[] | SshpoolError> {
    if (signal.aborted) return notStarted(host);
    const done = await (this.attached ? this.#gather(host, signal, listener) : this.#enqueue(host, attempt, tasks, signal, listener));
    return done instanceof SshpoolError ? done : this.#receive(host, tasks ?? this.#tasks ?? [], done);
  }

  /** A fetch's files, as its worker sent them, written into LOCALDIR/<host>/ as a local fetch writes them; the records say what could not be. */
  async #receive(host: RemoteHost, tasks: readonly HostTask[], records: HostResult[]): Promise<HostResult[]> {
    const received = [...records];
    for (const [index, task] of tasks.entries()) {
      const record = received[index];
      if (task.kind !== 'fetch' || !record) continue;
      const { localDir, preserve } = task as FetchTask;
      const undelivered = await receiveFetched(this.redis, this.#keys.fetched(host.index, record.attempt, index), path.join(localDir, hostFileName(host.name, '')), preserve);
      if (undelivered) received[index] = withUndelivered(record, undelivered);
    }
    return received;
  }

  /** Every record is in: the run's file contents leave Redis, and the workers are told to drop their copies. */
  async close(): Promise<void> {
    this.#closed = true;
    this.reader.disconnect();
    await this.#reading;
    if (this.#tasks) {
      await deleteContents(this.redis, this.#keys, this.#tasks).catch(() => undefined);
      await this.redis.publish(RUN_DONE_CHANNEL, this.runId).catch(() => undefined);
    }
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
    this.unwatch();
    await this.redis.quit().catch(() => undefined);
  }

  #enqueue(host: RemoteHost, attempt: number, tasks: readonly HostTask[] | undefined, signal: AbortSignal, listener: HostTaskListener): Promise<HostResult[] | SshpoolError> {
    const id = jobId(this.runId, host.index, attempt);
    const queue = this.#queue(host.tag);
    const done = this.#wait(id, listener, signal, () => void this.#takeBack(queue, id, host));
    const job: HostJob = { runId: this.runId, host, attempt, ...(tasks ? { tasks: encodeTasks(tasks) } : {}) };
    // Queued once; its record comes back through the run's stream, whichever worker takes it.
    const queued = Promise.all([
      this.redis.multi().hset(this.#keys.queued, String(host.index), id).expire(this.#keys.queued, RUN_TTL_SECONDS).exec(),
      queue.add('host', job, { jobId: id, removeOnComplete: true, removeOnFail: { age: RUN_TTL_SECONDS } }),
    ]);
    return Promise.all([done, queued]).then(([records]) => records);
  }

  /** Attached: the record the earlier run's worker wrote, or the one a worker is still working on. */
  async #gather(host: RemoteHost, signal: AbortSignal, listener: HostTaskListener): Promise<HostResult[] | SshpoolError> {
    const id = await this.redis.hget(this.#keys.queued, String(host.index));
    if (id === null) return new SshpoolError('SKIPPED', `${host.name}: the controller of run ${this.runId} stopped before it queued this host`);
    const done = this.#wait(id, listener, signal);
    // Waited for first: a record written from now on comes through the stream, one written before is in the hash.
    const stored = await this.redis.hget(this.#keys.records, String(host.index));
    if (stored !== null) this.#pending.get(id)?.resolve(JSON.parse(stored) as HostResult[]);
    return done;
  }

  /** The job's records from the stream; when `signal` aborts first, `onAbort` decides (by default: it never ran). */
  #wait(id: string, listener: HostTaskListener, signal: AbortSignal, onAbort?: () => void): Promise<HostResult[] | SshpoolError> {
    return new Promise((resolve) => {
      const abort = onAbort ?? ((): void => this.#pending.get(id)?.resolve(new SshpoolError('ABORTED', `stopped while waiting for job ${id}`)));
      this.#pending.set(id, {
        listener,
        resolve: (records) => {
          signal.removeEventListener('abort', abort);
          this.#pending.delete(id);
          resolve(records);
        },
      });
      signal.addEventListener('abort', abort, { once: true });
    });
  }

  /** Ctrl-C for one host: a job no worker took is removed (the host is the run's to record); a running one is told to stop. */
  async #takeBack(queue: Queue, id: string, host: RemoteHost): Promise<void> {
    if ((await queue.remove(id)) === 1) {
      this.#pending.get(id)?.resolve(notStarted(host));
      return;
    }
    // Set before it is said, so that a worker taking the job after the message still sees it.
    await this.redis.multi().hset(this.#keys.cancelled, id, '1').expire(this.#keys.cancelled, RUN_TTL_SECONDS).publish(CANCEL_CHANNEL, id).exec();
  }

  #queue(tag: string | undefined): Queue {
    const name = queueName(tag);
    let queue = this.#queues.get(name);
    if (!queue) {
      queue = new this.library.Queue(name, { connection: this.redis });
      this.#queues.set(name, queue);
    }
    return queue;
  }

  /** Follows the run's stream until close(), trimming what it has read so that the stream stays short. */
  async #readEvents(): Promise<void> {
    let last = '0';
    while (!this.#closed) {
      let reply: [Buffer, [Buffer, Buffer[]][]][] | null;
      try {
        reply = (await this.reader.xreadBuffer('COUNT', EVENTS_PER_READ, 'BLOCK', READ_BLOCK_MS, 'STREAMS', this.#keys.events, last)) as [Buffer, [Buffer, Buffer[]][]][] | null;
      } catch {
        // Closed by close(), or Redis lost: ioredis reconnects, and the loop reads on from the last entry it had.
        continue;
      }
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          last = id.toString();
          this.#handle(fields);
        }
      }
      // An attached run leaves the stream as it is: the earlier controller's hosts may be read again.
      if (reply && !this.attached) void this.redis.xtrim(this.#keys.events, 'MINID', last).catch(() => undefined);
    }
  }

  #handle(fields: Buffer[]): void {
    const event = parseRunEvent(fields);
    if (!event) return;
    const pending = this.#pending.get(jobId(this.runId, event.index, event.attempt));
    if (!pending) return;
    if (event.kind === 'output') pending.listener.output(event.task, event.stream, event.chunk);
    else if (event.kind === 'outputEnd') pending.listener.outputEnd(event.task);
    else if (event.kind === 'bytes') pending.listener.bytes?.(event.task, event.count);
    else pending.resolve(event.records);
  }
}

const DEFAULT_MAX_UPLOAD_BYTES = parseBytes(String(settingByKey('redis-max-upload')!.default), 'redis-max-upload');

function notStarted(host: RemoteHost): SshpoolError {
  return new SshpoolError('ABORTED', `${host.name}: run stopped before a worker started it`);
}
