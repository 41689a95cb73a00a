from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from heelwise.clinics.models import Service, Site
from heelwise.clinics.schemas import OpeningPeriodOut, ServiceOut, SiteOut
from heelwise.clinics.selectors import service_list, site_list

router = Router(tags=["clinic"])


def _site_out(site: Site) -> SiteOut:
    return SiteOut(
        slug=site.slug,
        name=site.name,
        address=site.address_lines,
        postcode=site.postcode,
        phone=site.phone,
        email=site.email,
        timezone="Europe/London",
        opening_hours=[
            OpeningPeriodOut(
                weekday=h.weekday,
                day=h.get_weekday_display(),
                opens=h.opens.strftime("%H:%M"),
                closes=h.closes.strftime("%H:%M"),
                kind=h.kind,
            )
            for h in site.opening_hours.all()
        ],
    )


def _service_out(service: Service) -> ServiceOut:
    return ServiceOut(
        slug=service.slug,
        name=service.name,
        summary=service.summary,
        minutes=service.minutes,
        price_pence=service.price_pence,
        price=service.price_display,
        mode=service.mode,
        remote=service.is_remote,
    )


@router.get("/sites", response=list[SiteOut], summary="The clinics with their opening hours")
def sites(request: HttpRequest) -> list[SiteOut]:
    return [_site_out(site) for site in site_list()]


@router.get("/services", response=list[ServiceOut], summary="Services that can be booked online")
def services(request: HttpRequest) -> list[ServiceOut]:
    return [_service_out(service) for service in service_list(bookable_only=True)]
