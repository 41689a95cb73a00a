"""Background tasks: each sends one outbox message (claimed atomically, so never twice)."""

from __future__ import annotations

from django_tasks import task

from heelwise.booking.outbox import outbox_send


@task()
def outbox_send_task(message_id: int) -> None:
    outbox_send(message_id=message_id)
