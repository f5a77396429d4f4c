"""Start a throw-away Virtuoso (Debian's virtuoso-opensource) on loopback for the tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

VSP = "/var/lib/virtuoso-opensource-7/vsp"
INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = ., /usr/share/virtuoso-opensource-7/vad, {bulk}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {query_seconds}
"""


@dataclass
class Virtuoso:
    query_url: str
    update_url: str
    user: str = "dba"
    password: str = "dba"  # the default password of a new Virtuoso database; loopback only
    sql_port: int = 0  # isql's port (for the bulk loader)
    bulk_dir: str = ""  # a folder the server may read files from (DirsAllowed), for the bulk loader


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def running_virtuoso(
    folder: Path, timeout: float = 90.0, memory_mib: int = 160, max_rows: int = 100_000, query_seconds: int = 120
) -> Iterator[Virtuoso]:
    """Start virtuoso-t in ``folder``; stop it (and remove nothing else) on exit.

    :param memory_mib: the server's page buffers (``NumberOfBuffers`` of 8 KiB; ``MaxDirtyBuffers``
        3/4 of them, as its ``virtuoso.ini`` advises): small for the tests, about 2/3 of the RAM
        for a server loading millions of triples.
    :param max_rows: ``ResultSetMaxRows``, the most rows an answer may have.
    :param query_seconds: ``MaxQueryExecutionTime``, after which the server stops a query.
    """
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise FileNotFoundError("virtuoso-t not found (apt-get install virtuoso-opensource)")
    db = folder / "db"
    db.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    bulk = folder / "bulk"
    bulk.mkdir(exist_ok=True)
    ini.write_text(
        INI.format(
            db=db,
            sql_port=sql_port,
            http_port=http_port,
            vsp=VSP,
            bulk=bulk,
            buffers=memory_mib * 128,
            dirty=memory_mib * 96,
            max_rows=max_rows,
            query_seconds=query_seconds,
        ),
        encoding="utf-8",
    )
    log = (folder / "stdout.log").open("wb")
    proc = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)], stdout=log, stderr=subprocess.STDOUT, cwd=folder
    )
    base = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {proc.returncode}: see {folder / 'stdout.log'}")
            try:
                with urllib.request.urlopen(f"{base}/sparql?query=ASK%7B%7D", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"virtuoso-t did not answer within {timeout:.0f} s")
            time.sleep(0.5)
        yield Virtuoso(
            query_url=f"{base}/sparql",
            update_url=f"{base}/sparql-auth",
            sql_port=sql_port,
            bulk_dir=str(bulk),
        )
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        os.environ.pop("KG_ENDPOINT", None)
