"""``kg serve``: a read-only web server over the project's store — the SPARQL 1.1 Protocol at
``/sparql``, a page for every IRI the project mints, the stored-query catalogue as forms, a
SPARQL editor, a timeline and a trade chart — all working offline (the front-end libraries are
shipped in ``static/vendor``).

    >>> from kg.serve import create_app
    >>> app = create_app(kg.Project.discover())             # doctest: +SKIP
    >>> import uvicorn; uvicorn.run(app, port=8000)         # doctest: +SKIP
"""

from __future__ import annotations

import ipaddress
import socket
import sys

from ..errors import KgError
from ..project import Project
from .app import Settings, create_app, open_store

__all__ = ["ServeError", "Settings", "create_app", "open_store", "serve"]


class ServeError(KgError):
    """The server cannot start (port in use, bad address)."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``.

    :raises ServeError: when the address is in use or cannot be bound.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise ServeError(f"cannot resolve host {host!r}: {err}") from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as err:
        sock.close()
        raise ServeError(
            f"cannot listen on {host}:{port}: {err.strerror or err}; is another server using the port? try --port"
        ) from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def is_loopback(host: str) -> bool:
    """Whether ``host`` names the loopback interface only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    project: Project,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    timeout: float = 10.0,
    limit: int = 10_000,
    workers: int = 4,
    memory: int = 384,
    allow_service: tuple[str, ...] = (),
    quiet: bool = False,
    log_level: str = "warning",
    answer_cache: int = 64,
) -> None:
    """Build (or open) the store, bind ``host:port`` and serve until interrupted.

    :raises ServeError: when the port cannot be bound.
    :raises KgError: when the store or the catalogue cannot be read.
    """
    import uvicorn

    sock = bind(host, port)
    try:
        app = create_app(
            project,
            timeout=timeout,
            limit=limit,
            workers=workers,
            memory=memory,
            allow_service=allow_service,
            quiet=quiet,
            answer_cache=answer_cache,
        )
    except BaseException:
        sock.close()
        raise
    shown = f"[{host}]" if ":" in host else host
    actual = sock.getsockname()[1]
    print(
        f"Serving {project.root} read-only on http://{shown}:{actual}/ "
        f"(SPARQL endpoint /sparql; query timeout {timeout:g} s, limit {limit} rows, {workers} worker processes "
        f"of at most {memory} MiB; SERVICE {'to ' + ', '.join(allow_service) if allow_service else 'refused'}); "
        "Ctrl-C to stop",
        file=sys.stderr,
        flush=True,
    )
    if not is_loopback(host):
        print(
            f"Warning: {host} is not a loopback address: anyone who can reach it can query the graph.", file=sys.stderr
        )
    config = uvicorn.Config(app, log_level=log_level, access_log=False, timeout_graceful_shutdown=2)
    uvicorn.Server(config).run(sockets=[sock])
