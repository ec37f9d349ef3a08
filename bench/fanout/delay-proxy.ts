/**
 * A user-space delay proxy for the bench's latency scenarios (the kernel here has no
 * netem): it listens on 0.0.0.0:PORT and forwards a connection to ADDRESS:PORT to
 * ADDRESS:22 (the same bench host's sshd), holding every chunk DELAY_MS in each
 * direction, an end (FIN) too, in order. It prints "accept <epoch ms>" for every
 * connection, so the bench can tell a client's first TCP connect after its start.
 *
 * Its limits: it delays what one read returns, not each packet; the TCP handshake
 * with the proxy is not delayed (the kernel answers the SYN), so a connect costs no
 * round trip here where a real one costs one; ACKs are not delayed either, so TCP's
 * windows and delayed ACKs behave as on loopback; no loss, no bandwidth limit.
 *
 * usage: node build/bench/fanout/delay-proxy.js PORT DELAY_MS
 */
import { createServer, connect } from 'node:net';
import type { Socket } from 'node:net';

const [port, delayMs] = process.argv.slice(2).map(Number) as [number, number];

/** Everything `from` sends reaches `to` delayMs later; setTimeout keeps equal delays in order. */
function delayed(from: Socket, to: Socket): void {
  from.on('data', (chunk) => setTimeout(() => to.write(chunk), delayMs));
  from.on('end', () => setTimeout(() => to.end(), delayMs));
  from.on('error', () => setTimeout(() => to.destroy(), delayMs));
  from.on('close', () => setTimeout(() => to.destroy(), delayMs + 1));
}

const server = createServer({ noDelay: true }, (client) => {
  process.stdout.write(`accept ${performance.timeOrigin + performance.now()}\n`);
  const upstream = connect({ host: client.localAddress, port: 22, noDelay: true });
  delayed(client, upstream);
  delayed(upstream, client);
});
server.listen({ host: '0.0.0.0', port, backlog: 4096 }, () => process.stdout.write('listening\n'));
