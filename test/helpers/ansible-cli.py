"""ansible-core's own command lines (ansible, ansible-inventory), for the comparison tests.

Each command runs its CLI's entry point (what /usr/bin/ansible calls) in a process forked from this one,
which has imported ansible once: importing ansible is ~0.5 s of CPU, nearly all of what a short command
costs, and the comparison runs several hundred. The fork keeps every command's state its own.

Reads one request per line on stdin, ["ansible-inventory", ["-i", "inv", "--list"]], and answers each, in
order, with one line on stdout: {"code": 0, "stdout": "...", "stderr": "..."}. The working directory and
the environment (ANSIBLE_* settings) are this process's.
"""
import json
import os
import signal
import sys
import tempfile

from ansible.cli.adhoc import AdHocCLI
from ansible.cli.inventory import InventoryCLI

CLIS = {'ansible': AdHocCLI, 'ansible-inventory': InventoryCLI}

# A command still running after this many seconds is killed (SIGALRM): its answer then has code -14.
COMMAND_TIMEOUT = 60


def run_in_child(command, args):
    signal.alarm(COMMAND_TIMEOUT)
    code = 250
    try:
        CLIS[command].cli_executor([command, *args])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run(command, args):
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            run_in_child(command, args)
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        return {
            'code': os.waitstatus_to_exitcode(status),
            'stdout': out.read().decode('utf-8', 'replace'),
            'stderr': err.read().decode('utf-8', 'replace'),
        }


for line in sys.stdin:
    request = json.loads(line)
    print(json.dumps(run(request[0], request[1])), flush=True)
