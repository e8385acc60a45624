"""Background work of payouts (``django.tasks``; the ``django-tasks-db`` worker runs it)."""

from django.tasks import task

from .models import ImportJob


@task()
def payroll_import_run(job_id: int) -> dict:
    """Run a queued payroll import (the API answered 202 with the job)."""
    from .services import payroll_import

    job = ImportJob.objects.select_related("period", "period__programme", "created_by").get(
        pk=job_id
    )
    if job.status not in (ImportJob.Status.PENDING,):
        return job.report()  # already run (a retried task must not import twice)
    with job.file.open("rb") as stream:
        job = payroll_import(
            job.created_by,
            job.period,
            stream,
            job.file_name,
            valid_only=job.valid_only,
            job=job,
        )
    return job.report()
