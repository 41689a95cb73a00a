from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from heelwise.runlog import services
from heelwise.runlog.selectors import shoe_stats

pytestmark = pytest.mark.django_db


class ShoeStatsTests:
    def test_it_sums_distance_and_averages_pain_on_the_days_worn(
        self, alice: Any, charlie: Any
    ) -> None:
        old = services.shoe_save(user=alice, name="Old", start_km=100, retire_at_km=120)
        new = services.shoe_save(user=alice, name="New")
        for day, shoe, pain in ((1, old, 6), (2, old, 4), (3, new, 1), (4, new, None)):
            services.run_create(
                user=alice,
                start=datetime(2025, 3, day, 8, tzinfo=UTC),
                duration_s=1800,
                distance_m=10_000,
                shoe=shoe,
            )
            services.checkin_save(
                user=alice, day=date(2025, 3, day), first_step_pain=2, run_pain_during=pain
            )
        services.checkin_save(user=charlie, day=date(2025, 3, 3), first_step_pain=9,
                              run_pain_during=9)  # fmt: skip
        stats = {s.shoe.name: s for s in shoe_stats(user=alice)}
        assert stats["Old"].km == 120 and stats["Old"].runs == 2 and stats["Old"].over_threshold
        assert stats["Old"].avg_pain_during == 5
        assert stats["New"].km == 20 and stats["New"].avg_pain_during == 1
        assert stats["New"].percent_of_threshold == 3
