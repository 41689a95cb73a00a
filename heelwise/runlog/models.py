"""Recovery tracking: daily check-ins, runs (manual or imported), shoes, import jobs and the
walk-run return-to-run programme. Derived figures (load, stage, alerts) are computed by the
pure modules ``load``, ``progression`` and ``alerts`` from these rows; nothing is cached here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

PAIN_VALIDATORS = [MinValueValidator(0), MaxValueValidator(10)]


class Shoe(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    brand = models.CharField(max_length=80, blank=True)
    start_km = models.FloatField(
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(10_000)],
        help_text="Distance already on the shoes before you started logging them.",
    )
    retire_at_km = models.PositiveIntegerField(
        default=650,
        validators=[MinValueValidator(50), MaxValueValidator(5_000)],
        help_text="A reminder you choose; there is no proven mileage at which shoes cause injury.",
    )
    is_default = models.BooleanField(default=False)
    retired = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    submission_key = models.CharField(
        max_length=32,
        blank=True,
        editable=False,
        help_text="The one-time key of the form that added the pair: the same form sent twice "
        "adds one pair.",
    )

    class Meta:
        ordering = ["retired", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="runlog_one_default_shoe_per_user",
            ),
            models.UniqueConstraint(
                fields=["user", "submission_key"],
                condition=~models.Q(submission_key=""),
                name="runlog_shoe_one_per_submission",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand} {self.name}".strip()


class Run(models.Model):
    class Kind(models.TextChoices):
        RUN = "run", "Run"
        CROSS_TRAINING = "cross_training", "Cross-training"

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered by hand"
        FIT = "fit", "FIT file"
        GPX = "gpx", "GPX file"
        TCX = "tcx", "TCX file"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField(help_text="UTC start time.")
    local_date = models.DateField(
        help_text="Date where the activity happened: the file's own UTC offset, else UK time."
    )
    tz_offset_s = models.IntegerField(null=True, blank=True)
    sport = models.CharField(max_length=32, default="running")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.RUN)
    distance_m = models.FloatField(null=True, blank=True, validators=[MinValueValidator(0)])
    duration_s = models.FloatField(validators=[MinValueValidator(0)])
    moving_s = models.FloatField(null=True, blank=True)
    ascent_m = models.FloatField(null=True, blank=True)
    avg_hr = models.FloatField(null=True, blank=True)
    cadence_spm = models.FloatField(null=True, blank=True)
    shoe = models.ForeignKey(
        Shoe, null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    source_file = models.CharField(max_length=255, blank=True)
    import_job = models.ForeignKey(
        "ImportJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "sport", "start"], name="runlog_run_unique_user_sport_start"
            )
        ]
        indexes = [models.Index(fields=["user", "local_date"], name="runlog_run_user_date")]

    def __str__(self) -> str:
        return f"{self.sport} {self.local_date}"

    @property
    def distance_km(self) -> float | None:
        return None if self.distance_m is None else self.distance_m / 1000


class CheckIn(models.Model):
    class Exercises(models.TextChoices):
        ALL = "all", "All of them"
        SOME = "some", "Some"
        NONE = "none", "None"
        NO_PLAN = "no_plan", "I have no exercise plan"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField(help_text="The runner's local (UK) date of the check-in.")
    first_step_pain = models.PositiveSmallIntegerField(validators=PAIN_VALIDATORS)
    run_pain_during = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=PAIN_VALIDATORS
    )
    run_pain_after = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=PAIN_VALIDATORS
    )
    settled_by_morning = models.BooleanField(
        null=True, blank=True, help_text="Did yesterday's pain settle by this morning?"
    )
    exercises = models.CharField(max_length=8, choices=Exercises.choices, blank=True)
    notes = models.CharField(max_length=1000, blank=True)
    flag_swelling_redness_fever = models.BooleanField(default=False)
    flag_cannot_bear_weight = models.BooleanField(default=False)
    flag_night_pain = models.BooleanField(default=False)
    flag_sudden_pop = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    RED_FLAG_FIELDS = (
        "flag_swelling_redness_fever",
        "flag_cannot_bear_weight",
        "flag_night_pain",
        "flag_sudden_pop",
    )

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="runlog_checkin_one_per_day")
        ]

    def __str__(self) -> str:
        return f"check-in {self.date}"

    @property
    def red_flags(self) -> list[str]:
        return [f.removeprefix("flag_") for f in self.RED_FLAG_FIELDS if getattr(self, f)]


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    upload_name = models.CharField(max_length=255, help_text="The file name the runner sent.")
    upload_bytes = models.PositiveBigIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(
        default=timezone.now,
        help_text="When the job last showed progress; housekeeping fails a job silent too long.",
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="runlog_importjob_stale")]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class ImportChunk(models.Model):
    """A piece of an uploaded file, held in the database from the upload until its import job
    ends, so a task worker on any host can read it (no shared disk). Deleted when the job
    finishes or fails, by housekeeping for a job whose worker died, and with the job on erasure.
    """

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="+")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="runlog_importchunk_job_index")
        ]

    def __str__(self) -> str:
        return f"chunk {self.index} of import {self.job_id}"


class Programme(models.Model):
    """A runner's walk-run return-to-run programme. The current stage is not stored: it is
    replayed from the check-ins since ``started_on`` by ``progression.evaluate``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    started_on = models.DateField()
    start_stage = models.PositiveSmallIntegerField(default=0)
    rules_version = models.CharField(max_length=16)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"programme from {self.started_on}"
