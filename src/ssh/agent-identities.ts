import { connect } from 'node:net';

const REQUEST_IDENTITIES = 11;
const IDENTITIES_ANSWER = 12;
/** An agent answers in milliseconds; one that does not is treated as holding nothing. */
const AGENT_TIMEOUT_MS = 10_000;
/** Far above any real agent's key list: a bigger answer is not an agent's. */
const MAX_ANSWER_BYTES = 1 << 20;

/**
 * The public key blobs an ssh-agent holds, certificates included, in its order
 * (draft-miller-ssh-agent: SSH_AGENTC_REQUEST_IDENTITIES). ssh2's own listing drops
 * the certificates, whose types it cannot parse. Rejects when the agent cannot be
 * reached or answers nonsense.
 */
export function agentIdentityBlobs(socketPath: string): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    let received = 0;
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(AGENT_TIMEOUT_MS, () => fail(new Error('ssh-agent did not answer')));
    socket.on('error', fail);
    socket.on('connect', () => socket.write(Buffer.from([0, 0, 0, 1, REQUEST_IDENTITIES])));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < 4) return;
      const message = Buffer.concat(chunks);
      const length = message.readUInt32BE(0);
      if (length > MAX_ANSWER_BYTES) return fail(new Error('ssh-agent answer too long'));
      if (received < 4 + length) return;
      socket.destroy();
      try {
        resolve(parseAnswer(message.subarray(4, 4 + length)));
      } catch (error) {
        reject(error as Error);
      }
    });
    socket.on('end', () => fail(new Error('ssh-agent closed the connection')));
  });
}

/** byte 12, uint32 count, then count times: string key blob, string comment. */
function parseAnswer(body: Buffer): Buffer[] {
  if (body[0] !== IDENTITIES_ANSWER || body.length < 5) throw new Error('ssh-agent refused to list its keys');
  const count = body.readUInt32BE(1);
  let offset = 5;
  const readString = (): Buffer => {
    if (offset + 4 > body.length) throw new Error('truncated ssh-agent answer');
    const end = offset + 4 + body.readUInt32BE(offset);
    if (end > body.length) throw new Error('truncated ssh-agent answer');
    const value = body.subarray(offset + 4, end);
    offset = end;
    return value;
  };
  const blobs: Buffer[] = [];
  for (let index = 0; index < count; index++) {
    blobs.push(Buffer.from(readString()));
    readString(); // comment
  }
  return blobs;
}
