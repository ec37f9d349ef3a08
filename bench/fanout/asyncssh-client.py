"""The bench's asyncssh peer: one asyncio process, like sshpool an in-process SSH client.

usage: asyncssh-client.py HOSTS_FILE SSH_CONFIG FANOUT COMMAND...
Each host of HOSTS_FILE (one name a line) gets one connection (settings from
SSH_CONFIG, as sshpool reads them: HostName, Port, User, IdentityFile,
UserKnownHostsFile) and runs every COMMAND in turn over it; at most FANOUT hosts
at once. Output goes to stdout; a host that fails prints "NAME: [failed] ERROR"
on stderr, which the bench counts.
"""
import asyncio
import sys
import warnings

warnings.filterwarnings("ignore")  # cryptography's deprecation notes on import, not the hosts' business
import asyncssh  # noqa: E402

CONNECT_TIMEOUT_S = 30


async def run_host(name, config, commands, slots):
    async with slots:
        try:
            async with asyncssh.connect(name, config=[config], connect_timeout=CONNECT_TIMEOUT_S) as connection:
                for command in commands:
                    result = await connection.run(command, stdin=asyncssh.DEVNULL, encoding=None)
                    sys.stdout.buffer.write(result.stdout or b"")
                    if result.exit_status != 0:
                        raise RuntimeError(f"exit status {result.exit_status}")
        except Exception as error:  # every failure is the host's, reported and counted
            sys.stderr.write(f"{name}: [failed] {error}\n")


async def main():
    hosts_file, config, fanout, *commands = sys.argv[1:]
    with open(hosts_file) as lines:
        hosts = [line.strip() for line in lines if line.strip()]
    slots = asyncio.Semaphore(int(fanout))
    await asyncio.gather(*(run_host(name, config, commands, slots) for name in hosts))


asyncio.run(main())
