/** Workers without --tag serve this queue; a tag has its own. */
export function queueName(tag: string | undefined): string {
  return tag === undefined ? 'sshpool' : `sshpool-tag-${tag}`;
}

/** How long a run's keys stay in Redis after their last write: long enough to --attach after a lost controller. */
export const RUN_TTL_SECONDS = 7 * 24 * 3600;

/** Controllers publish here the id of a job whose host is to stop (Ctrl-C); every worker listens. */
export const CANCEL_CHANNEL = 'sshpool:cancel';

/** Controllers publish here the id of a run that has every record: workers drop their copies of its files. */
export const RUN_DONE_CHANNEL = 'sshpool:run-done';

/** The Redis keys of one run. */
export interface RunKeys {
  /** The run's plan (tasks, host names, connection options), JSON. */
  plan: string;
  /** Hash: host index → that host's records (JSON), as the worker finished them. */
  records: string;
  /** Hash: host index → the id of its job queued last (what --attach waits for). */
  queued: string;
  /** Hash: job id → the worker that was about to send the host's first command. */
  started: string;
  /** Hash: job id → set when the controller stopped the host. */
  cancelled: string;
  /** Stream: live output and "done" of the run's hosts, read (and trimmed) by the controller. */
  events: string;
  /** List: the chunks of one local file's content a copy sends, by its hex SHA-256; deleted when the run ends. */
  content(sha256: string): string;
  /**
   * Where a worker puts what one fetch task of one host's attempt fetched, for
   * the controller to write and delete: `…:manifest` (JSON: the entries) and
   * `…:N` (list: the chunks of the manifest's N-th file).
   */
  fetched(index: number, attempt: number, task: number): string;
}

export function runKeys(runId: string): RunKeys {
  const base = `sshpool:run:${runId}`;
  return { plan: `${base}:plan`, queued: `${base}:queued`, records: `${base}:records`, started: `${base}:started`, cancelled: `${base}:cancelled`, events: `${base}:events`, content: (sha256) => `${base}:content:${sha256}`,
    fetched: (index, attempt, task) => `${base}:fetched:${index}:${attempt}:${task}`,
  };
}

/** Set by each live worker, expiring unless renewed: whether the worker that marked a host "started" is still there. */
export function workerKey(name: string): string {
  return `sshpool:worker:${name}`;
}

/** One job per host and attempt: a retry is a new job, and a job id names its run. */
export function jobId(runId: string, index: number, attempt: number): string {
  return `${runId}-${index}-${attempt}`;
}
