import { connect as tcpConnect } from 'node:net';
import type { Socket } from 'node:net';
import { writeIdentification } from './identification.js';

/** A TCP connection started before its SSH client existed. */
interface EarlySocket {
  socket: Socket;
  /** What the socket failed with before a client took it (refused, reset, unreachable). */
  failure?: Error;
  /** The server closed it before a client took it (sshd past MaxStartups, say). */
  ended: boolean;
  keepFailure: (error: Error) => void;
  noteEnd: () => void;
}

/**
 * An early connect a client takes: the socket to run SSH over, why it failed
 * already, or that the server closed it already (its 'end' and 'close' are
 * over, so a client given it would wait for them in vain).
 */
export type EarlyConnect = { socket: Socket } | { failure: Error } | { endedBeforeUse: true };

/**
 * TCP connects started while the run still reads its keys and loads ssh2, so
 * that the kernel's handshake, sshd's fork and banner and the round trip of
 * the client's identification line (written at once) overlap them: at most
 * one per address, each taken over by the first connection to that address.
 * Nothing but that line is sent until a client takes one: a run stopped before
 * (a bad key) closes them before any key exchange.
 */
export class EarlyConnects {
  private readonly sockets = new Map<string, EarlySocket>();

  /**
   * Starts a connect to each address not already started; resolves once the
   * kernel has been asked for them (Node defers a connect to an IP address to
   * the next tick, a host name to its DNS answer), i.e. before anything
   * synchronous that comes next, such as loading ssh2.
   */
  async start(addresses: Iterable<{ hostname: string; port: number }>): Promise<void> {
    const before = this.sockets.size;
    for (const { hostname, port } of addresses) {
      const key = addressKey(hostname, port);
      if (this.sockets.has(key)) continue;
      const socket = tcpConnect({ host: hostname, port }).setNoDelay(true);
      writeIdentification(socket);
      const early: EarlySocket = {
        socket,
        ended: false,
        // Kept for the client that takes it: an 'error' nobody listens to would end the process.
        keepFailure: (error) => {
          early.failure ??= error;
        },
        noteEnd: () => {
          early.ended = true;
        },
      };
      socket.on('error', early.keepFailure).on('end', early.noteEnd).on('close', early.noteEnd);
      this.sockets.set(key, early);
    }
    if (this.sockets.size > before) await new Promise((resolve) => setImmediate(resolve));
  }

  /** The early connect to this address, once: afterwards the address is connected to anew. */
  take(hostname: string, port: number): EarlyConnect | undefined {
    const key = addressKey(hostname, port);
    const early = this.sockets.get(key);
    if (!early) return undefined;
    this.sockets.delete(key);
    early.socket.off('error', early.keepFailure).off('end', early.noteEnd).off('close', early.noteEnd);
    if (early.failure || early.ended) {
      early.socket.destroy();
      return early.failure ? { failure: early.failure } : { endedBeforeUse: true };
    }
    return { socket: early.socket };
  }

  /** Closes every connect no client took. */
  closeAll(): void {
    for (const early of this.sockets.values()) {
      early.socket.destroy();
    }
    this.sockets.clear();
  }
}

function addressKey(hostname: string, port: number): string {
  return `${hostname}\0${port}`;
}
