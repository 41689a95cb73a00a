"""Demo clinic data for `make run`: the three sites of the clinic's article, practitioners,
services and three demo logins. Idempotent: running it again updates rather than duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import Any

from django.db import transaction

from heelwise.accounts.models import User
from heelwise.clinics.models import OpeningHours, Practitioner, Room, Service, Site

REGULAR = [(day, time(9), time(18)) for day in range(6)]  # Monday-Saturday 09:00-18:00

SITES: list[dict[str, Any]] = [
    {
        "slug": "london",
        "name": "London (Harley Street)",
        "building": "",
        "street": "104 Harley Street",
        "area": "Marylebone",
        "city": "London",
        "postcode": "W1G 7JD",
        "phone": "+44 1234 380345",
        "email": "info@prohealthclinic.co.uk",
        "directions": (
            "Nearest Underground stations: Regent's Park (Bakerloo line, 5 minutes' walk) and "
            "Oxford Circus (Central, Victoria and Bakerloo lines, 10 minutes). Buses along "
            "Marylebone Road and Portland Place. Paid parking at the Cavendish Square car park."
        ),
        "accessibility": (
            "Step-free entrance with a portable ramp on request; lift to all floors. "
            "Tell us if you need extra time or help when you book."
        ),
        "display_order": 1,
        "extra": [
            (1, time(18), time(20, 30), "evening"),
            (3, time(18), time(20, 30), "evening"),
            (6, time(10), time(14), "weekend"),
        ],
        "rooms": ["Treatment room 1", "Treatment room 2"],
    },
    {
        "slug": "manchester",
        "name": "Manchester (The Hadley Clinic)",
        "building": "The Hadley Clinic",
        "street": "64 Bridge Street",
        "area": "",
        "city": "Manchester",
        "postcode": "M3 3BN",
        "phone": "+44 1234 380345",
        "email": "info@prohealthclinic.co.uk",
        "directions": (
            "A 5-minute walk from Deansgate; the nearest Metrolink stop is St Peter's Square "
            "(10 minutes). Manchester Piccadilly and Salford Central stations are nearby. "
            "Pay-and-display parking on Bridge Street and at Spinningfields."
        ),
        "accessibility": "Ground-floor treatment room with step-free access.",
        "display_order": 2,
        "extra": [(2, time(18), time(20, 30), "evening"), (6, time(10), time(13), "weekend")],
        "rooms": ["Treatment room"],
    },
    {
        "slug": "bedford",
        "name": "Bedford (The Village Medical Centre)",
        "building": "The Village Medical Centre",
        "street": "Kingswood Way",
        "area": "Great Denham",
        "city": "Bedford",
        "postcode": "MK40 4GH",
        "phone": "+44 1234 380345",
        "email": "info@prohealthclinic.co.uk",
        "directions": (
            "Free parking on site. About 10 minutes by car or taxi from Bedford station; "
            "local buses stop on Kingswood Way."
        ),
        "accessibility": "Step-free access, accessible toilet and parking bays by the entrance.",
        "display_order": 3,
        "extra": [(0, time(18), time(20), "evening"), (3, time(18), time(20), "evening")],
        "rooms": ["Treatment room"],
    },
]

PRACTITIONERS: list[dict[str, Any]] = [
    {
        "slug": "oliver-eaton",
        "name": "Oliver Eaton",
        "title": "Musculoskeletal practitioner, injection therapy",
        "registration": "",
        "special_interests": "Chronic heel pain, injection therapies, return to sport",
        "bio": (
            "Oliver has over 12 years of clinical experience treating heel and foot pain in "
            "runners and other athletes. He assesses persistent heel pain, explains the options "
            "and their evidence, and provides injection therapies when conservative care has "
            "not been enough."
        ),
        "sites": ["london", "manchester", "bedford"],
        "user": "clinician@heelwise.test",
    },
    {
        "slug": "priya-shah",
        "name": "Priya Shah",
        "title": "Chartered physiotherapist (MCSP)",
        "registration": "HCPC registered physiotherapist",
        "special_interests": "Running injuries, strength and load management, gait",
        "bio": (
            "Priya is a chartered physiotherapist who works with recreational and club runners. "
            "She builds strength-based rehabilitation plans and graded return-to-running "
            "programmes, and runs the clinic's evening sessions in London."
        ),
        "sites": ["london"],
        "user": None,
    },
    {
        "slug": "tom-walsh",
        "name": "Tom Walsh",
        "title": "Podiatrist (MRCPod)",
        "registration": "HCPC registered podiatrist",
        "special_interests": "Foot mechanics, footwear and orthoses, plantar heel pain",
        "bio": (
            "Tom is a podiatrist who assesses foot mechanics and footwear, prescribes orthoses "
            "when they are likely to help, and treats plantar heel pain and Achilles problems."
        ),
        "sites": ["manchester", "bedford"],
        "user": None,
    },
    {
        "slug": "hannah-okafor",
        "name": "Dr Hannah Okafor",
        "title": "Sport and exercise medicine doctor (GMC registered)",
        "registration": "GMC registered",
        "special_interests": "Bone stress injuries, diagnostic ultrasound, young athletes",
        "bio": (
            "Hannah is a sport and exercise medicine doctor. She sees runners whose heel pain "
            "does not fit the usual pattern, arranges imaging when it is needed and looks after "
            "bone stress injuries and young athletes."
        ),
        "sites": ["london", "bedford"],
        "user": None,
    },
]

SERVICES: list[dict[str, Any]] = [
    {
        "slug": "discovery-call",
        "name": "Free 15-minute discovery call",
        "summary": "Talk through your heel pain with a clinician by phone or video, free.",
        "description": (
            "A short, free conversation with a clinician to hear what is going on, answer your "
            "questions and suggest the right next step. It is not a full assessment."
        ),
        "minutes": 15,
        "buffer_minutes": 5,
        "price_pence": 0,
        "mode": Service.Mode.REMOTE,
        "min_notice_hours": 2,
        "horizon_days": 30,
        "display_order": 1,
    },
    {
        "slug": "initial-consultation",
        "name": "Initial consultation",
        "summary": "A full assessment of your heel pain and a personal treatment plan.",
        "description": (
            "History, examination and, where useful, gait analysis. You leave with an "
            "explanation of what is likely going on and a written plan."
        ),
        "minutes": 45,
        "buffer_minutes": 15,
        "price_pence": 9500,
        "mode": Service.Mode.IN_PERSON,
        "min_notice_hours": 12,
        "horizon_days": 60,
        "display_order": 2,
    },
    {
        "slug": "treatment-session",
        "name": "Treatment session",
        "summary": "A treatment appointment as part of your plan.",
        "description": "Hands-on treatment, exercise progression or an injection session.",
        "minutes": 30,
        "buffer_minutes": 10,
        "price_pence": 7500,
        "mode": Service.Mode.IN_PERSON,
        "min_notice_hours": 12,
        "horizon_days": 90,
        "display_order": 3,
    },
    {
        "slug": "follow-up",
        "name": "Follow-up appointment",
        "summary": "Review your progress and adjust your plan, in person at one of our clinics.",
        "description": "Check progress against your plan and adjust load, exercises or treatment.",
        "minutes": 30,
        "buffer_minutes": 10,
        "price_pence": 6500,
        "mode": Service.Mode.IN_PERSON,
        "min_notice_hours": 12,
        "horizon_days": 90,
        "display_order": 4,
    },
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


DEMO_LOGINS = (
    DemoLogin("patient", "patient@heelwise.test", "heelwise-patient"),
    DemoLogin("clinician", "clinician@heelwise.test", "heelwise-clinician"),
    DemoLogin("admin", "admin@heelwise.test", "heelwise-admin"),
)


def _users() -> dict[str, User]:
    users: dict[str, User] = {}
    for login in DEMO_LOGINS:
        role = {"patient": User.Role.PATIENT, "clinician": User.Role.CLINICIAN}.get(
            login.role, User.Role.ADMIN
        )
        user = User.objects.filter(email=login.email).first()
        if user is None:
            user = User.objects.create_user(
                login.email,
                login.password,
                role=role,
                full_name=f"Demo {login.role}",
                is_staff=role != User.Role.PATIENT,
                is_superuser=role == User.Role.ADMIN,
            )
        users[login.email] = user
    return users


@transaction.atomic
def demo_data_load() -> None:
    users = _users()
    sites: dict[str, Site] = {}
    for spec in SITES:
        data = {k: v for k, v in spec.items() if k not in {"extra", "rooms", "slug"}}
        site, _ = Site.objects.update_or_create(slug=spec["slug"], defaults=data)
        sites[site.slug] = site
        periods = [(d, o, c, "regular") for d, o, c in REGULAR] + list(spec["extra"])
        for weekday, opens, closes, kind in periods:
            OpeningHours.objects.update_or_create(
                site=site, weekday=weekday, opens=opens, defaults={"closes": closes, "kind": kind}
            )
        for room in spec["rooms"]:
            Room.objects.get_or_create(site=site, name=room)
    for order, spec in enumerate(PRACTITIONERS, start=1):
        data = {k: v for k, v in spec.items() if k not in {"sites", "slug", "user"}}
        data["display_order"] = order
        user_email = spec["user"]
        data["user"] = users[user_email] if isinstance(user_email, str) else None
        practitioner, _ = Practitioner.objects.update_or_create(slug=spec["slug"], defaults=data)
        practitioner.sites.set([sites[s] for s in spec["sites"]])
    for spec in SERVICES:
        Service.objects.update_or_create(
            slug=spec["slug"], defaults={k: v for k, v in spec.items() if k != "slug"}
        )
    from heelwise.common import demo_hooks

    for hook in demo_hooks.HOOKS:
        hook()
