import type { ClientChannel } from 'ssh2';

/** The parts of ssh2's client that its `env` requests go through. */
interface ClientInternals {
  _protocol?: { env(recipient: number, name: string, value: string, wantReply: boolean): void };
  _chanMgr?: { _channels: Record<number, unknown> };
}

interface ChannelInternals {
  outgoing?: { id: number };
  _callbacks?: ((failed: boolean) => void)[];
}

/** The names each channel's server refused. */
const refused = new WeakMap<object, string[]>();
const answered = new WeakSet<object>();

/**
 * ssh2 sends `env` requests without asking for a reply, so a server that
 * refuses one (sshd does for any name its AcceptEnv does not list) says
 * nothing. From this call on, the client's env requests ask for a reply, and
 * each refusal is kept on its channel for refusedEnvironment(). The replies
 * come in request order, ahead of the exec's, as ssh2's channel expects its
 * callbacks.
 */
export function askEnvironmentReplies(client: object): void {
  if (answered.has(client)) return;
  const internals = client as ClientInternals;
  const protocol = internals._protocol;
  if (!protocol || !internals._chanMgr) return;
  answered.add(client);
  const send = protocol.env.bind(protocol);
  protocol.env = (recipient, name, value) => {
    const channel = channelTo(internals, recipient);
    if (!channel?._callbacks) return send(recipient, name, value, false);
    channel._callbacks.push((failed) => {
      if (failed) refused.set(channel, [...(refused.get(channel) ?? []), name]);
    });
    send(recipient, name, value, true);
  };
}

/** The names of the environment variables the server refused for this channel's command. */
export function refusedEnvironment(channel: ClientChannel): readonly string[] {
  return refused.get(channel) ?? [];
}

function channelTo(client: ClientInternals, recipient: number): ChannelInternals | undefined {
  for (const channel of Object.values(client._chanMgr?._channels ?? {})) {
    if (typeof channel === 'object' && channel !== null && (channel as ChannelInternals).outgoing?.id === recipient) return channel as ChannelInternals;
  }
  return undefined;
}
