"""The recovery personal-data provider exports activity uploads too."""

from __future__ import annotations

import pytest

from heelwise.accounts.models import User
from heelwise.accounts.services import user_export
from heelwise.runlog.models import ImportJob

pytestmark = pytest.mark.django_db


class RecoveryExportTests:
    def test_it_exports_import_jobs_with_upload_names_and_reports(
        self, alice: User, bob: User
    ) -> None:
        ImportJob.objects.create(
            user=alice,
            upload_name="strava-export.zip",
            status=ImportJob.Status.DONE,
            total=2,
            done=2,
            report={"files": [{"name": "activities/1.fit", "status": "imported"}]},
        )
        ImportJob.objects.create(user=bob, upload_name="bobs-runs.zip")
        [job] = user_export(user=alice)["recovery"]["imports"]
        assert job["upload_name"] == "strava-export.zip"
        assert job["status"] == "done"
        assert job["report"] == {"files": [{"name": "activities/1.fit", "status": "imported"}]}
        assert job["created_at"]
