import { expect } from 'chai';

type ErrorClass<E> = abstract new (...args: never[]) => E;

/**
 * What `promise` rejects with. With `type`, the test fails unless it is an
 * instance of it; a promise that resolves fails the test either way.
 */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown>;
export async function rejectionOf<E>(promise: Promise<unknown>, type: ErrorClass<E>): Promise<E>;
export async function rejectionOf<E>(promise: Promise<unknown>, type?: ErrorClass<E>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    if (type) expect(error, `expected a ${type.name}`).to.be.instanceOf(type);
    return error;
  }
  throw new Error(`expected a rejection${type ? ` with a ${type.name}` : ''}, got a value`);
}
