"""Stand-in for one kernel forked by the warm kernel server (see basisop/batch/kernels.py).

jupyter_client starts this tiny script (`python -I -S forkclient.py SOCKET -f CONNECTION`, no
imports beyond the standard library, so it starts in milliseconds) as if it were the kernel. It
asks the server to fork a kernel with its working directory, environment and standard streams,
then stands for it: SIGINT and SIGTERM are passed on, and it exits when the kernel does. If this
process is killed, the kernel sees its connection close and exits too.
"""

import contextlib
import json
import os
import signal
import socket
import sys


def main(argv: list[str]) -> int:
    server, kernel_args = argv[0], argv[1:]
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(server)
    request = json.dumps({"argv": kernel_args, "cwd": os.getcwd(), "env": dict(os.environ)})
    socket.send_fds(conn, [request.encode() + b"\n"], [0, 1, 2])
    pid = int(conn.makefile("rb").readline())

    def forward(signum, _frame):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    while True:  # the kernel holds the other end: end of file means it has exited
        try:
            if not conn.recv(1):
                return 0
        except InterruptedError:
            continue


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
