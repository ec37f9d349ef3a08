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
 * With hostCertificates every host key is also served as a certificate signed by that CA
 * (createCertificateAuthority(), signKey() make CAs and certificates with ssh-keygen -s).
 */
export { Fleet, type FleetHost, type FleetOptions, type HostCertificates } from './fleet.js';
export { FleetError } from './fleet-error.js';
export { closedPort, silentPort } from './ports.js';
export { startAgent } from './agent.js';
export { encryptedKeyCopy } from './keys.js';
export { canStartDisconnectingServer, startDisconnectingServer, type DisconnectingServer } from './disconnecting-server.js';
export { blackholeUnavailable, startBlackhole, type Blackhole } from './blackhole.js';
export { certificateLine, createCertificateAuthority, signKey, type CertificateAuthority, type SignOptions } from './certificates.js';
export { becomeUnavailable, setUpBecomeUsers, OTHER_USER, SUDOER, type BecomeUsers } from './become-users.js';
