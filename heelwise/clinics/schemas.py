from __future__ import annotations

from ninja import Schema


class OpeningPeriodOut(Schema):
    weekday: int
    day: str
    opens: str
    closes: str
    kind: str


class SiteOut(Schema):
    slug: str
    name: str
    address: list[str]
    postcode: str
    phone: str
    email: str
    timezone: str
    opening_hours: list[OpeningPeriodOut]


class ServiceOut(Schema):
    slug: str
    name: str
    summary: str
    minutes: int
    price_pence: int
    price: str
    mode: str
    remote: bool
