from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
class SitesApiTests:
    def test_it_lists_three_sites_with_hours(self, client: Client, demo_clinic: None) -> None:
        response = client.get("/api/v1/sites")
        assert response.status_code == 200
        sites = response.json()
        assert [s["slug"] for s in sites] == ["london", "manchester", "bedford"]
        london = sites[0]
        assert london["postcode"] == "W1G 7JD"
        monday = [
            h for h in london["opening_hours"] if h["weekday"] == 0 and h["kind"] == "regular"
        ]
        assert monday == [
            {"weekday": 0, "day": "Monday", "opens": "09:00", "closes": "18:00", "kind": "regular"}
        ]
        assert not [
            h for h in london["opening_hours"] if h["weekday"] == 6 and h["kind"] == "regular"
        ]

    def test_it_lists_services(self, client: Client, demo_clinic: None) -> None:
        services = {s["slug"]: s for s in client.get("/api/v1/services").json()}
        call = services["discovery-call"]
        assert call["minutes"] == 15
        assert call["price_pence"] == 0
        assert call["remote"] is True

    def test_openapi_schema_documents_routes(self, client: Client) -> None:
        schema = client.get("/api/v1/openapi.json").json()
        assert "/api/v1/sites" in schema["paths"]
        assert "/api/v1/services" in schema["paths"]
