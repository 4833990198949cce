"""``pap-sim viz``: serve the interactive map in the browser."""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys

from papsim.cli.args import add_quiet
from papsim.errors import InputError


EXPOSES = ("an app without authentication that runs the model on this machine (its CPU and memory) for "
           "anyone who can reach the port")


def _is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (localhost, 127.0.0.0/8, ::1)."""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: only 'localhost' is taken as loopback without asking the network
        return False


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``pap-sim viz``."""
    p = sub.add_parser("viz", help="serve the interactive map in the browser (SolaraViz)",
                       description="Serve the interactive map (map, live charts, controls for the mission's "
                                   "size, funding, posture and rules of engagement) on http://HOST:PORT/.")
    p.add_argument("--port", type=int, default=8765,
                   help="port (default 8765; 0: a free one, named in the address printed)")
    p.add_argument("--host", default="127.0.0.1",
                   help="interface to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--allow-network", action="store_true",
                   help="allow a --host other than loopback: the app has no authentication, and anyone who "
                        "can reach the port runs the model on this machine")
    p.add_argument("--open", action="store_true", help="open a browser tab")
    add_quiet(p)
    p.set_defaults(func=cmd_viz)


def cmd_viz(args: argparse.Namespace) -> int:
    """``pap-sim viz``: check the host, take the port (a free one for 0), print the address, serve until stopped."""
    loopback = _is_loopback(args.host)
    if not loopback and not args.allow_network:
        raise InputError(f"--host = {args.host!r} would serve {EXPOSES} to the network; "
                         "add --allow-network to do so, or leave --host at 127.0.0.1")
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port = {args.port} is not allowed; expected an int in [0, 65535]")
    try:
        family, _, _, _, address = socket.getaddrinfo(args.host, args.port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise InputError(f"--host = {args.host!r} is not an address of this machine ({exc})") from None
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: a port in TIME_WAIT is free
        listener.bind(address)
        listener.listen(128)  # from here a browser can connect (answered once the app is loaded)
    except OSError as exc:
        listener.close()
        raise InputError(f"cannot listen on {args.host}:{args.port} ({exc.strerror}); "
                         "choose another port with --port") from None
    url = f"http://{_bracketed(args.host)}:{listener.getsockname()[1]}/"
    with listener:
        try:
            from papsim.present import app
        except ImportError as exc:
            raise InputError(f"the interactive map needs the viz extra ({exc}); "
                             "install it with: pip install -e '.[viz]'") from None
        if not loopback:
            print(f"pap-sim viz: warning: listening on {url}, serving {EXPOSES}", file=sys.stderr)
        if not args.quiet:
            print(f"pap-sim viz: serving the interactive map on {url} (Ctrl+C to stop)", file=sys.stderr,
                  flush=True)
        return app.serve(listener, open_url=url if args.open else None)


def _bracketed(host: str) -> str:
    """``host`` as written in a URL (an IPv6 address in brackets)."""
    return f"[{host}]" if ":" in host else host
