"""The archive command's own cluster is private: whoever reaches one of its ports runs code on
it, so only a client holding the credentials made for that cluster gets in, and every port
is on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import ssl
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("cryptography")
distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")

from distributed.comm import connect  # noqa: E402
from distributed.security import Security  # noqa: E402

from glossary_check.commands import archive  # noqa: E402
from glossary_check.commands.cli import main  # noqa: E402
from test_archive import GLOSSARY, trusting  # noqa: E402

#: how long a refused client may take to give up: refusal is quick, a hang fails the test
PATIENCE = 5


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """The archive command's own client and cluster, started as a run without --scheduler
    starts them."""
    with archive.connect(None, 2) as client:
        client.wait_for_workers(2, timeout=60)
        yield client


def ports(client: Any) -> dict[str, str]:
    """Every address the cluster serves Dask's protocol on: scheduler, workers, nannies."""
    info = client.scheduler_info()
    found = {"scheduler": client.scheduler.address}
    for i, (address, worker) in enumerate(sorted(info["workers"].items())):
        found[f"worker {i}"] = address
        found[f"nanny {i}"] = worker["nanny"]
    return found


async def _identity(address: str, **connection_args: Any) -> dict[str, Any]:
    comm = await connect(address, timeout=PATIENCE - 2, **connection_args)
    try:
        await comm.write({"op": "identity", "reply": True})
        reply: dict[str, Any] = await comm.read()
        return reply
    finally:
        comm.abort()


def identity(address: str, **connection_args: Any) -> dict[str, Any]:
    """Ask a server who it is, as any client's first message would; bounded in time."""
    return asyncio.run(asyncio.wait_for(_identity(address, **connection_args), PATIENCE))


def no_certificate() -> ssl.SSLContext:
    """TLS as an intruder speaks it: any server certificate accepted, none of its own."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


INTRUDERS = {
    "plain tcp": lambda address: identity(address.replace("tls://", "tcp://", 1)),
    "tls without a certificate": lambda address: identity(address, ssl_context=no_certificate()),
    "tls with credentials of its own": lambda address: identity(
        address, **Security.temporary().get_connection_args("client")),
}


@pytest.mark.parametrize("intruder", INTRUDERS)
def test_a_client_without_the_credentials_is_refused_everywhere(client: Any, intruder: str) -> None:
    addresses = ports(client)
    assert len(addresses) == 5 and all(a.startswith("tls://") for a in addresses.values())
    for role, address in addresses.items():
        with pytest.raises((OSError, TimeoutError)):
            reply = INTRUDERS[intruder](address)
            pytest.fail(f"{role} at {address} answered {intruder}: {reply}")


def test_a_client_with_the_credentials_gets_in(client: Any) -> None:
    """The other side of the refusals: the same probe, holding the cluster's credentials."""
    credentials = client.security.get_connection_args("client")
    for role, address in ports(client).items():
        assert identity(address, **credentials)["type"].lower() == role.split()[0], role
    # and a whole new client runs code there, which is what the credentials protect
    with distributed.Client(client.scheduler.address, security=client.security,
                            timeout=PATIENCE, set_as_default=False) as other:
        children = {p.pid for p in psutil.Process().children(recursive=True)}
        assert len(set(other.run(os.getpid).values()) & children) == 2
        assert other.run_on_scheduler(os.getpid) == os.getpid()


def test_a_plain_dask_client_cannot_connect(client: Any) -> None:
    with pytest.raises((OSError, TimeoutError)):
        address = client.scheduler.address.replace("tls://", "tcp://", 1)
        distributed.Client(address, timeout=2, set_as_default=False).close()


def listening(processes: list[Any]) -> set[tuple[int, str, int]]:
    found = set()
    for process in processes:
        for conn in process.net_connections(kind="inet"):
            if conn.status == psutil.CONN_LISTEN:
                found.add((process.pid, conn.laddr.ip, conn.laddr.port))
    return found


def test_every_port_of_the_cluster_is_on_loopback() -> None:
    me = psutil.Process()
    before = listening([me, *me.children(recursive=True)])
    with archive.connect(None, 2) as client:
        client.wait_for_workers(2, timeout=60)
        workers = [psutil.Process(pid) for pid in client.run(os.getpid).values()]
        assert all(p.pid != me.pid for p in workers)  # worker processes, not threads
        opened = listening([me, *me.children(recursive=True)]) - before
        served = {int(a.rsplit(":", 1)[1]) for a in ports(client).values()}
    assert served <= {port for _, _, port in opened}  # the scan sees the cluster's ports
    assert {pid for pid, _, _ in opened} >= {p.pid for p in workers}
    assert {ip for _, ip, _ in opened} == {"127.0.0.1"}, opened


def test_scheduler_option_uses_the_dask_configuration(
    client: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    """--scheduler brings no credentials of its own: with the cluster's in the Dask
    configuration it gets in, without them it says it cannot, in one line."""
    article = tmp_path / "a.txt"
    article.write_text("Talks resumed in Kiev.\n", encoding="utf-8")
    argv = ["archive", str(article), "-g", GLOSSARY, "-q", "--timeout", "2",
            "-o", str(tmp_path / "out.jsonl")]
    cluster = client.cluster
    assert main([*argv, "--scheduler", cluster.scheduler_address]) == 2
    err = capsys.readouterr().err
    assert err.startswith("glossary-check archive: the scheduler at tls://"), err
    assert "names no client certificate" in err
    assert err.count("\n") == 1
    with trusting(cluster) as address:
        assert main([*argv, "--scheduler", address]) == 1
    assert '"rule": "variant"' in (tmp_path / "out.jsonl").read_text(encoding="utf-8")


def test_the_scheduler_web_endpoint_tells_no_more_than_its_health(client: Any) -> None:
    """It takes no credentials, so it serves health and metrics only: not the pages with the
    workers' logs, call stacks and tasks, nor the proxy to other ports."""
    port = client.scheduler_info()["services"]["dashboard"]

    def status(path: str) -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=PATIENCE) as r:
                return int(r.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    assert status("/health") == 200
    assert status("/metrics") in (200, 404)  # 404 without prometheus_client
    worker = next(iter(client.scheduler_info()["workers"]))
    hidden = ["/info/main/workers.html", f"/info/logs/{worker}", "/info/call-stacks/" + worker,
              "/json/identity.json", "/json/index.html", f"/proxy/{port}/127.0.0.1/health"]
    assert {path: status(path) for path in hidden} == dict.fromkeys(hidden, 404)
