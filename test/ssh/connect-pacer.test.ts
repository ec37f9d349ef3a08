import { expect } from 'chai';
import { ConnectPacer } from '../../src/ssh/connect-pacer.js';
import type { PacerTime } from '../../src/ssh/connect-pacer.js';
import { parseRate } from '../../src/settings/values.js';
import { UsageError } from '../../src/errors.js';
import { deferred } from '../helpers/deferred.js';
import type { Deferred } from '../helpers/deferred.js';
import { hasSettled } from '../helpers/ticks.js';

/** A clock the test moves and sleeps it ends by hand; each sleep is recorded with its length. */
function controlledTime() {
  let now = 1000;
  const sleeps: { ms: number; done: Deferred<void> }[] = [];
  const time: PacerTime = {
    now: () => now,
    sleep: (ms, signal, aborted) => {
      const done = deferred();
      sleeps.push({ ms, done });
      signal?.addEventListener('abort', () => done.reject(aborted()), { once: true });
      return done.promise;
    },
  };
  return { time, sleeps, advance: (ms: number) => (now += ms) };
}

const aborted = () => new Error('aborted while waiting for its turn');

describe('ConnectPacer (--connect-rate, controlled clock)', () => {
  it('spaces connections 1/N s apart: the first at once, the next ones each one interval after the one before', async () => {
    const { time, sleeps } = controlledTime();
    const pacer = new ConnectPacer(4, time);
    const turns = [pacer.turn(undefined, aborted), pacer.turn(undefined, aborted), pacer.turn(undefined, aborted)];
    expect(await hasSettled(turns[0]!)).to.equal(true);
    expect(sleeps.map((sleep) => sleep.ms)).to.deep.equal([250, 500]);
    expect(await hasSettled(turns[1]!)).to.equal(false);
  });

  it('time that passed counts: no wait once the interval is over, and no burst saved up while idle', async () => {
    const { time, sleeps, advance } = controlledTime();
    const pacer = new ConnectPacer(10, time);
    await pacer.turn(undefined, aborted);
    advance(5000);
    await pacer.turn(undefined, aborted);
    void pacer.turn(undefined, aborted);
    expect(sleeps.map((sleep) => sleep.ms)).to.deep.equal([100], 'an idle pacer holds one token, not 5 s of them');
  });

  it('a stop (the host’s signal) during the pacing wait rejects at once with the caller’s error', async () => {
    const { time } = controlledTime();
    const pacer = new ConnectPacer(1, time);
    await pacer.turn(undefined, aborted);
    const stop = new AbortController();
    const waiting = pacer.turn(stop.signal, aborted);
    expect(await hasSettled(waiting)).to.equal(false);
    stop.abort();
    const error = await waiting.then(() => null, (reason: unknown) => reason);
    expect((error as Error).message).to.equal('aborted while waiting for its turn');
  });

  it('a signal aborted already is refused even when no wait is due', async () => {
    const pacer = new ConnectPacer(1, controlledTime().time);
    const error = await pacer.turn(AbortSignal.abort(), aborted).then(() => null, (reason: unknown) => reason);
    expect(error).to.be.instanceOf(Error);
  });

  it('parses N/s and N; anything not above 0 names the option', () => {
    expect(parseRate('50/s', '--connect-rate')).to.equal(50);
    expect(parseRate('0.5', '--connect-rate')).to.equal(0.5);
    expect(parseRate(20, '--connect-rate')).to.equal(20);
    expect(() => parseRate('0/s', '--connect-rate')).to.throw(UsageError, '--connect-rate: "0/s" is not a rate above 0 (N/s)');
    expect(() => parseRate('fast', '--connect-rate')).to.throw(UsageError, '--connect-rate');
  });
});
