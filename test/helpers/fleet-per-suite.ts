import { Fleet } from '../fleet/index.js';
import type { FleetOptions } from '../fleet/index.js';

/**
 * Call inside a `describe`: one fleet for all of its tests, started before the first and stopped
 * after the last. Returns a getter, since the fleet exists only once the suite runs.
 */
export function fleetPerSuite(options: FleetOptions = {}): () => Fleet {
  let fleet: Fleet | undefined;
  before(async () => {
    fleet = await Fleet.start(options);
  });
  after(async () => {
    await fleet?.stop();
    fleet = undefined;
  });
  return () => {
    if (!fleet) throw new Error('fleetPerSuite: the suite is not running');
    return fleet;
  };
}
