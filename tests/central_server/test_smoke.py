def test_kiosk_ticket_is_called_by_a_clerk(server):
    kiosk = server.client("demo-kiosk")
    service_a = kiosk.service_id("A")
    created = kiosk.post("/sites/demo/tickets", json={"service_id": service_a})
    assert created.status_code == 201, created.text
    assert created.json()["number"] == "A001"
    clerk = server.client(server.login("clerk1"))
    called = clerk.post("/sites/demo/desks/1/call-next")
    assert called.status_code == 200
    assert called.json()["number"] == "A001"
    assert called.json()["desk"] == "1"
