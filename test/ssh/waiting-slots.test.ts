import { expect } from 'chai';
import { WaitingSlots } from '../../src/ssh/waiting-slots.js';
import { rejectionOf } from '../helpers/rejection.js';
import { hasSettled } from '../helpers/ticks.js';

const aborted = () => new Error('aborted');

describe('WaitingSlots: the channels one connection may have open at once', () => {
  it('gives up to its limit at once; the next waits until one is given back, in the order asked', async () => {
    const slots = new WaitingSlots(2);
    await slots.take(undefined, aborted);
    await slots.take(undefined, aborted);
    const third = slots.take(undefined, aborted);
    const fourth = slots.take(undefined, aborted);
    expect([await hasSettled(third), await hasSettled(fourth), slots.inUse]).to.deep.equal([false, false, 2]);
    slots.give();
    expect([await hasSettled(third), await hasSettled(fourth), slots.inUse]).to.deep.equal([true, false, 2]);
    slots.give();
    expect(await hasSettled(fourth)).to.equal(true);
  });

  it('after a refusal, allows no more than the server accepted, never below one', async () => {
    const slots = new WaitingSlots(10);
    for (let taken = 0; taken < 3; taken += 1) await slots.take(undefined, aborted);
    slots.lowerTo(2);
    slots.give();
    const waiting = slots.take(undefined, aborted);
    expect(await hasSettled(waiting)).to.equal(false);
    slots.give();
    expect(await hasSettled(waiting)).to.equal(true);

    const one = new WaitingSlots(3);
    one.lowerTo(0);
    await one.take(undefined, aborted);
    expect(await hasSettled(one.take(undefined, aborted))).to.equal(false);
  });

  it('puts a caller handing back a refused slot first in line', async () => {
    const slots = new WaitingSlots(1);
    await slots.take(undefined, aborted);
    const order: string[] = [];
    const later = slots.take(undefined, aborted).then(() => order.push('later'));
    const refused = slots.take(undefined, aborted, true).then(() => order.push('refused'));
    slots.give();
    await refused;
    slots.give();
    await later;
    expect(order).to.deep.equal(['refused', 'later']);
  });

  it('drops a waiter whose signal aborts, and fails every waiter when the connection is gone', async () => {
    const slots = new WaitingSlots(1);
    await slots.take(undefined, aborted);
    const stop = new AbortController();
    const stopped = slots.take(stop.signal, aborted);
    const gone = slots.take(undefined, aborted);
    stop.abort();
    expect((await rejectionOf(stopped)) as Error).to.have.property('message', 'aborted');
    let made = 0;
    const lost = () => {
      made += 1;
      return new Error('lost');
    };
    slots.failWaiting(lost);
    expect((await rejectionOf(gone)) as Error).to.have.property('message', 'lost');
    // Nobody waits any more: no error is made for nobody.
    slots.failWaiting(lost);
    expect(made).to.equal(1);
    // The aborted waiter took nothing: the slot given back is free for the next caller at once.
    slots.give();
    expect(await hasSettled(slots.take(undefined, aborted))).to.equal(true);
  });
});
