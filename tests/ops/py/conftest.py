"""Operations from outside, with real third-party tools: an OTLP receiver built from the
`opentelemetry-proto` package (gRPC with grpcio, and HTTP/protobuf), a webhook receiver, and
Prometheus' own Python parser for /metrics — against the real server binary, which each test
starts with the environment it needs (the Rust harness, tests/ops/main.rs, names it in
CREMA_BINARY)."""

import base64
import http.server
import json
import os
import re
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from concurrent import futures

import grpc
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

BINARY = os.environ.get("CREMA_BINARY", "")
MANAGER_PIN = "9999"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"crema-ops-suite-webhook-secret!!").decode()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Spans:
    """Spans received, flattened: one dict per span."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []

    def add(self, request):
        with self.lock:
            for resource_spans in request.resource_spans:
                service = next(
                    (a.value.string_value for a in resource_spans.resource.attributes if a.key == "service.name"), None
                )
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        self.items.append(
                            {
                                "trace_id": span.trace_id.hex(),
                                "span_id": span.span_id.hex(),
                                "parent": span.parent_span_id.hex(),
                                "name": span.name,
                                "service": service,
                                "links": [link.trace_id.hex() for link in span.links],
                                "attributes": {a.key: a.value for a in span.attributes},
                            }
                        )

    def of_trace(self, trace_id):
        with self.lock:
            return [s for s in self.items if s["trace_id"] == trace_id]

    def wait_for(self, trace_id, names, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = {s["name"] for s in self.of_trace(trace_id)}
            if all(any(n == name or n.startswith(name) for n in found) for name in names):
                return self.of_trace(trace_id)
            time.sleep(0.1)
        raise AssertionError(f"spans {names} of trace {trace_id} not all received; got {sorted(found)}")


class _TraceService(trace_service_pb2_grpc.TraceServiceServicer):
    def __init__(self, spans):
        self.spans = spans

    def Export(self, request, context):
        self.spans.add(request)
        return trace_service_pb2.ExportTraceServiceResponse()


@pytest.fixture
def otlp_grpc():
    """An OTLP/gRPC trace receiver: (endpoint, spans)."""
    spans = Spans()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(_TraceService(spans), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield f"http://127.0.0.1:{port}", spans
    server.stop(0)


@pytest.fixture
def otlp_http():
    """An OTLP/HTTP (protobuf) trace receiver at /v1/traces: (endpoint, spans)."""
    spans = Spans()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            if self.path != "/v1/traces" or self.headers.get("content-type") != "application/x-protobuf":
                self.send_response(404)
                self.end_headers()
                return
            request = trace_service_pb2.ExportTraceServiceRequest()
            request.ParseFromString(body)
            spans.add(request)
            answer = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("content-type", "application/x-protobuf")
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", spans
    server.shutdown()


class Webhook:
    """Records every delivery: (headers, body as JSON)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []

    def wait_for(self, predicate, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                for headers, event in self.received:
                    if predicate(event):
                        return headers, event
            time.sleep(0.1)
        raise AssertionError("the webhook never received the event")


@pytest.fixture
def webhook():
    hook = Webhook()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            with hook.lock:
                hook.received.append(({k.lower(): v for k, v in self.headers.items()}, json.loads(body)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield hook
    server.shutdown()


class Crema:
    def __init__(self, env):
        assert BINARY, "CREMA_BINARY names the server binary under test"
        self.dir = tempfile.TemporaryDirectory(prefix="crema-ops-")
        full = {
            k: v for k, v in os.environ.items() if not k.startswith("OTEL_") and not k.startswith("CREMA_")
        }
        full.update({"CREMA_LOG": "info", "CREMA_EGRESS_ALLOW": "127.0.0.0/8", "NO_COLOR": "1"})
        full.update(env)
        self.process = subprocess.Popen(
            [BINARY, "--bind", "127.0.0.1:0", "--database-url", os.path.join(self.dir.name, "crema.db")],
            env=full,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.log = []
        deadline = time.time() + 30
        self.base = None
        while time.time() < deadline and self.base is None:
            line = self.process.stdout.readline()
            if not line:
                break
            self.log.append(line)
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                self.base = found.group(1)
        assert self.base, "the server did not start:\n" + "".join(self.log)
        threading.Thread(target=self._drain, daemon=True).start()
        self.token = self.call("POST", "/api/v1/sessions", {"pin": MANAGER_PIN})["token"]

    def _drain(self):
        for line in self.process.stdout:
            self.log.append(line)

    def call(self, method, path, body=None, headers=None):
        request = urllib.request.Request(
            self.base + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"content-type": "application/json", **(headers or {})},
        )
        if getattr(self, "token", None):
            request.add_header("authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=15) as response:
            text = response.read()
            return json.loads(text) if text else None

    def text(self, path):
        with urllib.request.urlopen(self.base + path, timeout=15) as response:
            return response.headers.get("content-type"), response.read().decode()

    def espresso(self):
        menu = self.call("GET", "/api/v1/menu")
        return menu["categories"][0]["items"][0]["id"]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.dir.cleanup()


@pytest.fixture
def crema():
    started = []

    def start(env=None):
        server = Crema(env or {})
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
