"""/metrics read with Prometheus' own parser (prometheus_client's OpenMetrics parser, which
refuses anything malformed), before and after orders move through the shop."""

from prometheus_client.openmetrics.parser import text_string_to_metric_families


def scrape(server):
    content_type, text = server.text("/metrics")
    assert content_type.startswith("application/openmetrics-text"), content_type
    families = {f.name: f for f in text_string_to_metric_families(text)}
    return families


def sample(families, family, name, **labels):
    for s in families[family].samples:
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    return 0.0


def test_metrics_parse_and_the_histograms_move_after_orders(crema):
    server = crema()
    espresso = server.espresso()
    before = scrape(server)
    for family, kind in [
        ("crema_http_request_duration_seconds", "histogram"),
        ("crema_orders_placed", "counter"),
        ("crema_ticket_placed_to_ready_seconds", "histogram"),
        ("crema_ticket_ready_to_completed_seconds", "histogram"),
        ("crema_open_tickets", "gauge"),
        ("crema_tickets_late", "gauge"),
        ("crema_writer_batch_size", "histogram"),
        ("crema_writer_commit_seconds", "histogram"),
        ("crema_outbox_sequence", "gauge"),
        ("crema_jobs", "gauge"),
        ("crema_event_streams", "gauge"),
        ("crema_board_streams", "gauge"),
        ("crema_signin_failures", "counter"),
    ]:
        assert family in before, f"{family} is exposed"
        assert before[family].type == kind, f"{family} is a {kind}"

    ids = []
    for n in range(5):
        order = server.call(
            "POST",
            "/api/v1/orders",
            {
                "customer_name": f"Metric {n}",
                "lines": [{"item_id": espresso, "quantity": 1}],
                "payment": {"method": "cash", "tendered_cents": 500},
            },
        )
        ids.append(order["id"])
    # The kitchen makes the first two; one is handed over.
    for order_id in ids[:2]:
        order = server.call("GET", f"/api/v1/orders/{order_id}")
        line = order["lines"][0]["id"]
        server.call("POST", f"/api/v1/orders/{order_id}/accept")
        server.call("POST", f"/api/v1/orders/{order_id}/lines/{line}/start")
        server.call("POST", f"/api/v1/orders/{order_id}/lines/{line}/done")
    server.call("POST", f"/api/v1/orders/{ids[0]}/complete")
    try:
        server.call("POST", "/api/v1/sessions", {"pin": "0000"})
    except Exception:
        pass

    after = scrape(server)
    placed = ("crema_http_request_duration_seconds", "crema_http_request_duration_seconds_count")
    route = {"method": "POST", "route": "/api/v1/orders", "status": "201"}
    assert sample(after, *placed, **route) - sample(before, *placed, **route) == 5
    assert sample(after, "crema_orders_placed", "crema_orders_placed_total") - sample(
        before, "crema_orders_placed", "crema_orders_placed_total"
    ) == 5
    ready = ("crema_ticket_placed_to_ready_seconds", "crema_ticket_placed_to_ready_seconds_count")
    assert sample(after, *ready) - sample(before, *ready) == 2
    pickup = ("crema_ticket_ready_to_completed_seconds", "crema_ticket_ready_to_completed_seconds_count")
    assert sample(after, *pickup) - sample(before, *pickup) == 1
    batches = ("crema_writer_batch_size", "crema_writer_batch_size_count")
    assert sample(after, *batches) > sample(before, *batches)
    assert sample(after, "crema_open_tickets", "crema_open_tickets", status="placed") == 3
    assert sample(after, "crema_open_tickets", "crema_open_tickets", status="ready") == 1
    assert sample(after, "crema_signin_failures", "crema_signin_failures_total") >= 1
