import { hostname } from 'node:os';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { SshpoolError } from '../errors.js';
import type { InventoryHost } from '../inventory/index.js';
import { Pool, type TaskContext } from '../pool/index.js';
import type { HostResult } from '../run/host-result.js';
import { runHostTask, skippedResults } from '../run/host-task.js';
import type { HostTaskListener, HostTaskPlan } from '../run/host-task.js';
import type { RemoteHost } from '../run/remote-hosts.js';
import { SessionCache } from '../session/session-cache.js';
import { defaults } from '../settings/schema.js';
import type { RunOptions } from '../settings/run-options.js';
import { resolveTarget } from '../ssh/target-settings.js';
import { WaitingSlots } from '../ssh/waiting-slots.js';
import type { ReachableTarget, Target } from '../ssh/target-settings.js';
import type { OutputStreamName } from '../ssh/remote-command.js';
import { defaultExecutors } from '../tasks/index.js';
import type { ExecutorRegistry, HostTask } from '../tasks/index.js';
import { QueueError } from './errors.js';
import { decodeTasks } from './job-data.js';
import { bullmq } from './libraries.js';
import type { HostJob, StoredRunPlan } from './job-data.js';
import { CANCEL_CHANNEL, queueName, RUN_DONE_CHANNEL, RUN_TTL_SECONDS, runKeys, workerKey } from './keys.js';
import type { RunKeys } from './keys.js';
import { connectRedis, redactedUrl, watchConnection } from './redis-connection.js';
import { runEventFields } from './run-events.js';
import type { RunEvent } from './run-events.js';
import { WorkerContents } from './worker-contents.js';
import type { LocalTasks } from './worker-contents.js';
import { DEFAULT_MAX_FETCH_BYTES } from './fetched-files.js';

/** What `sshpool worker` takes. */
export interface QueueWorkerOptions extends RunOptions {
  /** redis://[:PASSWORD@]HOST:PORT[/DB], or rediss:// for TLS. */
  url: string;
  /** Hosts worked on at once by this worker, over all its queues (default 32). */
  forks?: number;
  /** Serve the hosts of these tags only; none: the untagged hosts. */
  tags?: readonly string[];
  /**
   * This worker's jobs on one host (its address and port; every local host
   * counts as one) at once, over all the runs it serves: the others wait their
   * turn, holding a slot of `forks`. Undefined: no limit.
   */
  concurrencyPerHost?: number;
  /** One line per event worth a log: start, Redis lost and back, stop. */
  log?: (line: string) => void;
}

/**
 * A job's lock: a worker that stops renewing it (killed) loses the job after
 * this long, and BullMQ's stalled check, every STALLED_CHECK_MS, puts it back
 * for another worker.
 */
const LOCK_MS = 5_000;
const STALLED_CHECK_MS = 2_500;
/** Jobs put back more often than this fail in BullMQ; each pick-up records the host, so it is never reached in practice. */
const MAX_STALLED = 10;
/** Run plans kept in memory, for the runs whose jobs this worker is taking now. */
const PLANS_KEPT = 32;
/**
 * A worker's heartbeat is renewed this often and lasts HEARTBEAT_TTL_MS: a job
 * taken again from a worker whose heartbeat still beats (its lock expired
 * during a Redis outage, say) waits for that worker's records instead of
 * calling it lost.
 */
const HEARTBEAT_MS = 2_000;
const HEARTBEAT_TTL_MS = 6_000;

/**
 * `sshpool worker`: takes host jobs from Redis (BullMQ: one queue per tag),
 * runs each with this machine's keys, agent, known_hosts and ssh_config on the
 * same sessions and executors as a local run, and writes the host's records
 * to its run's hash and stream. Before a host's first command it records
 * "started": a job taken again after its worker was lost is then recorded
 * `unreachable` with WORKER_LOST rather than run twice; without that mark it
 * simply runs. stop() (SIGTERM) takes no more jobs and finishes the running ones.
 */
export class QueueWorker {
  readonly #running = new Map<string, AbortController>();
  readonly #plans = new Map<string, Promise<StoredRunPlan>>();
  readonly #workers: Worker[] = [];
  readonly #pool: Pool;
  /** Per host address, its jobs running here (concurrencyPerHost); dropped when idle. */
  readonly #hostSlots = new Map<string, WaitingSlots>();
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #executors: ExecutorRegistry = defaultExecutors();
  /** Names this worker in "started" marks. */
  readonly name = `${hostname()}:${process.pid}`;

  private constructor(
    private readonly options: QueueWorkerOptions,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly sessions: SessionCache,
    private readonly unwatch: () => void,
    private readonly contents: WorkerContents,
  ) {
    this.#pool = new Pool({ size: options.forks ?? defaults.forks });
  }

  /**
   * Connects, listens for stops, and starts taking jobs.
   * @throws QueueError REDIS_UNAVAILABLE; SshConfigError for this machine's ssh_config.
   */
  static async start(options: QueueWorkerOptions): Promise<QueueWorker> {
    const redis = await connectRedis(options.url);
    const log = options.log ?? (() => undefined);
    const sessions = await SessionCache.create(options, { keepIdleJumps: true });
    const subscriber = redis.duplicate();
    // Each failed reconnect is an 'error', which ioredis prints with its stack when nobody listens:
    // watchConnection says the loss once, for the main connection.
    subscriber.on('error', () => undefined);
    const worker = new QueueWorker(options, redis, subscriber, sessions, watchConnection(redis, options.url, log), await WorkerContents.create(redis));
    subscriber.on('message', (channel: string, id: string) => (channel === RUN_DONE_CHANNEL ? worker.contents.runDone(id) : worker.#running.get(id)?.abort()));
    await subscriber.subscribe(CANCEL_CHANNEL, RUN_DONE_CHANNEL);
    const { Worker: BullWorker } = bullmq();
    const queues = options.tags && options.tags.length > 0 ? options.tags.map((tag) => queueName(tag)) : [queueName(undefined)];
    for (const name of queues) {
      const bullWorker = new BullWorker(name, (job: Job<HostJob>) => worker.#process(job), {
        connection: redis,
        concurrency: options.forks ?? defaults.forks,
        lockDuration: LOCK_MS,
        stalledInterval: STALLED_CHECK_MS,
        maxStalledCount: MAX_STALLED,
      });
      // Lost connections are said once by watchConnection; BullMQ repeats them per command.
      bullWorker.on('error', () => undefined);
      worker.#workers.push(bullWorker);
    }
    worker.#beat();
    log(`worker ${worker.name} taking ${queues.join(', ')} from ${redactedUrl(options.url)}, ${options.forks ?? defaults.forks} hosts at once`);
    return worker;
  }

  /** Takes no more jobs, finishes the running ones (their records are delivered), then disconnects. */
  async stop(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.close()));
    clearTimeout(this.#heartbeat);
    await this.redis.del(workerKey(this.name)).catch(() => undefined);
    this.#pool.close();
    await this.#pool.join();
    this.sessions.close();
    await this.contents.close();
    this.unwatch();
    await this.subscriber.quit().catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
  }

  async #process(job: Job<HostJob>): Promise<void> {
    const { runId, host, attempt } = job.data;
    const id = job.id as string;
    const keys = runKeys(runId);
    const stop = new AbortController();
    // Registered before the cancelled mark is read: a stop said after the read still reaches the host.
    this.#running.set(id, stop);
    try {
      const plan = await this.#plan(runId, keys);
      const tasks = job.data.tasks ? decodeTasks(job.data.tasks) : decodeTasks(plan.tasks);
      const records = await this.#records(job.data, id, keys, plan, tasks, stop.signal);
      await this.#say(keys, { kind: 'done', index: host.index, attempt, records }, records);
    } finally {
      this.#running.delete(id);
    }
  }

  /** The host's records: delivered already (a job taken again after an outage), lost, stopped, or run now. */
  async #records(job: HostJob, id: string, keys: RunKeys, plan: StoredRunPlan, tasks: readonly HostTask[], stop: AbortSignal): Promise<HostResult[]> {
    const taskPlan: HostTaskPlan = { tasks, recordedTasks: decodeTasks(plan.tasks), executors: this.#executors };
    let target: Target = unresolved(job.host);
    try {
      target = resolveTarget(inventoryHost(job.host), { ...this.options, ...plan.connection }, this.sessions.sshConfig, (name) => job.host.vars[name]);
      return await this.#outcome(job, id, keys, plan, target, taskPlan, stop);
    } catch (error) {
      // This machine's settings are at fault (an ssh_config, a key file): the host's record says so, and the run goes on.
      return failed(skippedResults(target, taskPlan, job.attempt, error));
    }
  }

  async #outcome(job: HostJob, id: string, keys: RunKeys, plan: StoredRunPlan, target: Target, taskPlan: HostTaskPlan, stop: AbortSignal): Promise<HostResult[]> {
    const { host, attempt } = job;
    const delivered = await this.redis.hget(keys.records, String(host.index));
    const earlier = delivered ? (JSON.parse(delivered) as HostResult[]) : undefined;
    if (earlier?.[0]?.attempt === attempt) return earlier;
    if (await this.redis.hexists(keys.cancelled, id)) return skippedResults(target, taskPlan, attempt, new SshpoolError('ABORTED', `${host.name}: run stopped before it started`));
    const startedBy = await this.redis.hget(keys.started, id);
    if (startedBy !== null) {
      const delivered = await this.#deliveredBy(startedBy, keys, host.index, attempt);
      if (delivered) return delivered;
      const lost = new QueueError('WORKER_LOST', `${host.name}: worker ${startedBy} was lost after it may have started the command; not run again`);
      return failed(skippedResults(target, taskPlan, attempt, lost));
    }
    if (target.kind === 'refused') return skippedResults(target, taskPlan, attempt, target.error);
    let releaseHost: () => void;
    try {
      releaseHost = await this.#holdHost(target, host.name, stop);
    } catch (error) {
      return skippedResults(target, taskPlan, attempt, error);
    }
    try {
      return await this.#onHeldHost(job, id, keys, plan, target, taskPlan, stop);
    } finally {
      releaseHost();
    }
  }

  /**
   * Resolves once this host may be worked on here (concurrencyPerHost), to
   * its release; rejects with ABORTED when the run is stopped meanwhile.
   */
  async #holdHost(target: ReachableTarget, name: string, stop: AbortSignal): Promise<() => void> {
    const limit = this.options.concurrencyPerHost;
    if (limit === undefined) return () => undefined;
    const address = target.kind === 'ssh' ? `${target.hostname}:${target.port}` : 'local';
    let slots = this.#hostSlots.get(address);
    if (!slots) this.#hostSlots.set(address, (slots = new WaitingSlots(limit)));
    if (slots.inUse >= limit) this.options.log?.(`${name}: waits, ${limit} job${limit > 1 ? 's' : ''} on ${address} already running here (--concurrency-per-host)`);
    await slots.take(stop, () => new SshpoolError('ABORTED', `${name}: run stopped while it waited for its host (--concurrency-per-host)`));
    return () => {
      slots.give();
      if (slots.idle) this.#hostSlots.delete(address);
    };
  }

  async #onHeldHost(job: HostJob, id: string, keys: RunKeys, plan: StoredRunPlan, target: ReachableTarget, taskPlan: HostTaskPlan, stop: AbortSignal): Promise<HostResult[]> {
    const { host, attempt } = job;
    const { tasks } = taskPlan;
    let local: LocalTasks;
    try {
      local = await this.contents.localise(job.runId, { id, index: host.index, attempt, name: host.name }, tasks);
    } catch (error) {
      // Nothing was sent to the host: the copy failed here, and the host is recorded so.
      return skippedResults(target, taskPlan, attempt, error).map((record) => ({ ...record, status: 'failed' }));
    }
    try {
      if (target.kind === 'ssh') await this.sessions.prepare([target]);
      const { listener, flush } = this.#listener(keys, host.index, attempt, tasks);
      const beforeTasks = async (): Promise<void> => {
        await this.redis.multi().hset(keys.started, id, this.name).expire(keys.started, RUN_TTL_SECONDS).exec();
      };
      const hostPlan = { ...taskPlan, tasks: local.tasks, listener, beforeTasks };
      const records = await this.#pool
        .submit((task) => runStoppable(this.sessions, target, attempt, hostPlan, task, stop))
        .get()
        .finally(flush);
      return await local.deliver(records, plan.maxFetchBytes ?? DEFAULT_MAX_FETCH_BYTES);
    } finally {
      local.release();
    }
  }

  /** The records of a host another worker started, once it delivers them; undefined once its heartbeat stops first (it is lost). */
  async #deliveredBy(worker: string, keys: RunKeys, index: number, attempt: number): Promise<HostResult[] | undefined> {
    for (;;) {
      const stored = await this.redis.hget(keys.records, String(index));
      const records = stored ? (JSON.parse(stored) as HostResult[]) : undefined;
      if (records?.[0]?.attempt === attempt) return records;
      if ((await this.redis.exists(workerKey(worker))) === 0) return undefined;
      await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_MS / 2));
    }
  }

  #beat(): void {
    void this.redis.set(workerKey(this.name), '1', 'PX', HEARTBEAT_TTL_MS).catch(() => undefined);
    this.#heartbeat = setTimeout(() => this.#beat(), HEARTBEAT_MS);
    this.#heartbeat.unref();
  }

  /**
   * Live output to the run's stream, each task's streams capped at its
   * maxOutputBytes as its record is, and a copy's or fetch's bytes; `flush`
   * says the bytes not yet said (before the host's records, which follow on
   * the same connection).
   */
  #listener(keys: RunKeys, index: number, attempt: number, tasks: readonly HostTask[]): { listener: HostTaskListener; flush(): void } {
    const sent = new Map<string, number>();
    const bytes = new BytesSaid((task, count) => void this.#say(keys, { kind: 'bytes', index, attempt, task, count }));
    const listener: HostTaskListener = {
      output: (task, stream: OutputStreamName, chunk) => {
        const key = `${task}:${stream}`;
        const room = outputCap(tasks[task]) - (sent.get(key) ?? 0);
        if (room <= 0) return;
        const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
        sent.set(key, (sent.get(key) ?? 0) + part.length);
        void this.#say(keys, { kind: 'output', index, attempt, task, stream, chunk: part });
      },
      outputEnd: (task) => void this.#say(keys, { kind: 'outputEnd', index, attempt, task }),
      bytes: (task, count) => bytes.add(task, count),
    };
    return { listener, flush: () => bytes.flush() };
  }

  /** On the run's stream, in order (one connection); with records, also in the run's hash, for --attach. Waits out an outage. */
  async #say(keys: RunKeys, event: RunEvent, records?: readonly HostResult[]): Promise<void> {
    const write = this.redis.multi();
    if (records) write.hset(keys.records, String(event.index), JSON.stringify(records)).expire(keys.records, RUN_TTL_SECONDS);
    await write.xadd(keys.events, '*', ...runEventFields(event)).expire(keys.events, RUN_TTL_SECONDS).exec();
  }

  #plan(runId: string, keys: RunKeys): Promise<StoredRunPlan> {
    let plan = this.#plans.get(runId);
    if (!plan) {
      plan = this.redis.get(keys.plan).then((text) => {
        if (text === null) throw new QueueError('RUN_NOT_FOUND', `run ${runId}: its plan is not in Redis`);
        return JSON.parse(text) as StoredRunPlan;
      });
      this.#plans.set(runId, plan);
      if (this.#plans.size > PLANS_KEPT) this.#plans.delete(this.#plans.keys().next().value as string);
      plan.catch(() => this.#plans.delete(runId));
    }
    return plan;
  }
}

/** In the worker's pool task, `task`: the host runs on the pool's signal and its own stop (the controller's Ctrl-C). */
function runStoppable(sessions: SessionCache, target: ReachableTarget, attempt: number, plan: HostTaskPlan, task: TaskContext, stop: AbortSignal): Promise<HostResult[]> {
  return runHostTask({ cache: sessions, keep: false }, target, attempt, plan, { slot: task.slot, signal: AbortSignal.any([task.signal, stop]) });
}

function inventoryHost(host: RemoteHost): InventoryHost {
  return { name: host.name, vars: { ...host.vars }, groups: ['all', 'ungrouped'] };
}

/** A host this worker has not resolved (or could not: its own ssh_config or settings are at fault): named as the controller sent it. */
function unresolved(host: RemoteHost): Target {
  const address = host.vars.ansible_host;
  return { kind: 'refused', label: host.name, hostname: typeof address === 'string' ? address : host.name, port: 0, user: '', become: undefined, error: new SshpoolError('SKIPPED', host.name) };
}

/** Records of a host that may have been reached: `unreachable` rather than skipped. */
function failed(records: HostResult[]): HostResult[] {
  return records.map((record) => ({ ...record, status: 'unreachable' }));
}

function outputCap(task: HostTask | undefined): number {
  const own = (task as { maxOutputBytes?: number } | undefined)?.maxOutputBytes;
  const main = (task as { main?: { maxOutputBytes?: number } } | undefined)?.main?.maxOutputBytes;
  return own ?? main ?? defaults.maxOutputBytes;
}

/** How often a host's transfer bytes are said: an entry per SFTP request (255 KiB) would be a Redis write each. */
const BYTES_PERIOD_MS = 250;

/** A host's transfer bytes, summed per task and said at most every BYTES_PERIOD_MS, and at `flush`. */
class BytesSaid {
  readonly #counts = new Map<number, number>();
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly say: (task: number, count: number) => void) {}

  add(task: number, count: number): void {
    this.#counts.set(task, (this.#counts.get(task) ?? 0) + count);
    this.#timer ??= setTimeout(() => this.flush(), BYTES_PERIOD_MS).unref();
  }

  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const [task, count] of this.#counts) this.say(task, count);
    this.#counts.clear();
  }
}
