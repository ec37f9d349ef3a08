/**
 * A fleet of real OpenSSH sshd processes on loopback for integration tests (never a mock server):
 *
 *   before(async () => { fleet = await Fleet.start({ hosts: 3, refuseUserKey: ['h03'] }); });
 *   after(() => fleet.stop());
 *
 * Each host is `sshd -D -e -f <its config>` with its own host keys (ed25519 only, unless
 * hostKeyTypes says otherwise; known_hosts gets the first); clients log in as fleet.user with
 * fleet.userKeyPath, checked against fleet.knownHostsPath, or through the written
 * fleet.inventoryPath / fleet.sshConfigPath. As root the login user is `sshpool-test` (/bin/sh).
 */
export { Fleet, type FleetHost, type FleetOptions } from './fleet.js';
export { FleetError } from './fleet-error.js';
export { closedPort, silentPort } from './ports.js';
export { startAgent } from './agent.js';
export { encryptedKeyCopy } from './keys.js';
export { canStartDisconnectingServer, startDisconnectingServer, type DisconnectingServer } from './disconnecting-server.js';
export { blackholeUnavailable, startBlackhole, type Blackhole } from './blackhole.js';
export { becomeUnavailable, setUpBecomeUsers, OTHER_USER, SUDOER, type BecomeUsers } from './become-users.js';
