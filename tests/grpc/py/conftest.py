"""A real external gRPC client for Crema: Python grpcio, with stubs generated at start from
the repository's own .proto files (grpc_tools' protoc), against the real server binary that
the Rust harness (tests/grpc/main.rs) started and named in CREMA_BASE."""

import importlib.resources
import json
import os
import pathlib
import sys
import tempfile
import urllib.request
import uuid

import grpc
import pytest
from grpc_tools import protoc

ROOT = pathlib.Path(__file__).resolve().parents[3]
PROTOS = ["crema/v1/menu.proto", "crema/v1/order.proto", "crema/v1/orders.proto", "cloudevents/cloudevents.proto"]


def _generate_stubs():
    out = tempfile.mkdtemp(prefix="crema-grpc-stubs-")
    well_known = str(importlib.resources.files("grpc_tools") / "_proto")
    args = ["protoc", f"-I{ROOT / 'proto'}", f"-I{well_known}", f"--python_out={out}", f"--grpc_python_out={out}"]
    assert protoc.main(args + PROTOS) == 0, "the repository's .proto files compile for Python"
    sys.path.insert(0, out)


_generate_stubs()

from cloudevents import cloudevents_pb2  # noqa: E402,F401
from crema.v1 import menu_pb2, menu_pb2_grpc, order_pb2, orders_pb2, orders_pb2_grpc  # noqa: E402,F401

BASE = os.environ.get("CREMA_BASE", "")
PINS = {"cashier": "1111", "barista": "2222", "manager": "9999"}


def sign_in(pin):
    request = urllib.request.Request(
        f"{BASE}/api/v1/sessions",
        data=json.dumps({"pin": pin}).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())["token"]


@pytest.fixture(scope="session")
def target():
    assert BASE.startswith("http://"), "CREMA_BASE names the server under test"
    return BASE.removeprefix("http://")


@pytest.fixture(scope="session")
def channel(target):
    with grpc.insecure_channel(target) as channel:
        grpc.channel_ready_future(channel).result(timeout=10)
        yield channel


@pytest.fixture(scope="session")
def tokens():
    return {role: sign_in(pin) for role, pin in PINS.items()}


@pytest.fixture(scope="session")
def auth(tokens):
    """Call metadata for a role: auth("cashier")."""
    return lambda role: (("authorization", f"Bearer {tokens[role]}"),)


@pytest.fixture(scope="session")
def orders(channel):
    return orders_pb2_grpc.OrderServiceStub(channel)


@pytest.fixture(scope="session")
def menu(channel):
    return menu_pb2_grpc.MenuServiceStub(channel).GetMenu(menu_pb2.GetMenuRequest(), timeout=10)


def item_named(menu, name):
    return next(i for c in menu.categories for i in c.items if i.name == name)


def new_order(menu, name="Ana", request_id=None, item="Espresso", quantity=1, **extra):
    """A valid order of one item with no required choices."""
    line = orders_pb2.LineRequest(item_id=item_named(menu, item).id, quantity=quantity)
    return orders_pb2.CreateOrderRequest(
        request_id=request_id or f"py-{uuid.uuid4()}", customer_name=name, lines=[line], **extra
    )


def bad_request(error):
    """The field paths of an INVALID_ARGUMENT's google.rpc.BadRequest detail."""
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    status = rpc_status.from_call(error)
    assert status is not None, "the status carries details"
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            return [v.field for v in bad.field_violations]
    raise AssertionError(f"no BadRequest detail in {status}")
