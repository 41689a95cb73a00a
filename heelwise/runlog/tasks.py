from __future__ import annotations

from django_tasks import task

from heelwise.runlog.importing import import_job_process


@task()
def import_job_run(job_id: int) -> None:
    """Parse and store one uploaded file or export archive, updating the job's progress."""
    import_job_process(job_id=job_id)
