"""Writes for payouts. Each service owns its transaction and audits inside it.

Names follow ``<entity>_<verb>``. Rules that need no database live in ``rules.py``.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from postops.core.audit import audit_record, changed_fields

from . import rules
from .errors import (
    AlreadyPaid,
    AlreadyReversed,
    AuthorisationInvalid,
    BeneficiarySuspended,
    CashDayCannotClose,
    CashDayClosed,
    FourEyesViolation,
    IdempotencyKeyReused,
    IdentityMismatch,
    InvalidRequest,
    InvalidTransition,
    LineNotFound,
    NotAllowed,
    OutOfScope,
    OutsideSchedule,
    PeriodNotOpen,
    ScheduleInvalid,
)
from .importing import payroll_import
from .models import (
    Beneficiary,
    CashDay,
    CashMovement,
    CashVarianceSignoff,
    ImportJob,
    Payout,
    PayoutReversal,
    PayoutSchedule,
    PayoutScheduleException,
    PayrollLine,
    PayrollPeriod,
    Programme,
    Proxy,
    ReceiptCounter,
)

__all__ = ["payroll_import"]  # re-exported: services are the entry point for writes

# --- Payroll periods --------------------------------------------------------------------------


def payroll_period_get_or_create(actor, programme: Programme, month: date) -> PayrollPeriod:
    """The period of ``programme`` for ``month`` (first day), created as "imported"."""
    month = month.replace(day=1)
    with transaction.atomic():
        period, created = PayrollPeriod.objects.get_or_create(
            programme=programme,
            month=month,
            defaults={"imported_by": actor if getattr(actor, "is_authenticated", False) else None},
        )
        if created:
            audit_record(
                actor,
                "payouts.period_create",
                period,
                after={"programme": programme.code, "month": rules.format_period(month)},
            )
    return period


def payroll_period_transition(actor, period: PayrollPeriod, new_status: str) -> PayrollPeriod:
    """Move a period along ``rules.PERIOD_TRANSITIONS`` with one compare-and-set update.

    Approving freezes a snapshot (line count and total) and needs a different person from
    the importer (four-eyes rule). The update matches the old status, so two people acting
    at once cannot both move it: the loser gets ``InvalidTransition``.
    """
    old_status = period.status
    if not rules.period_can_move(old_status, new_status):
        raise InvalidTransition(old=old_status, new=new_status)
    if new_status == rules.REPORTED:
        # Needs the agency's reference and the report's checksum: period_mark_reported.
        raise InvalidRequest(field="reference")
    changes: dict = {"status": new_status, "updated_at": timezone.now()}
    with transaction.atomic():
        if new_status == rules.CHECKED:
            changes["checked_by"] = actor
        elif new_status == rules.APPROVED:
            from .selectors import period_importer_ids

            if actor.pk in period_importer_ids(period):
                raise FourEyesViolation()
            snapshot = PayrollLine.objects.filter(period=period).aggregate(
                count=Count("id"), amount=Sum("amount"), arrears=Sum("arrears")
            )
            changes.update(
                approved_by=actor,
                approved_at=timezone.now(),
                approved_line_count=snapshot["count"],
                approved_total=(snapshot["amount"] or 0) + (snapshot["arrears"] or 0),
            )
        elif new_status == rules.IMPORTED:
            changes["checked_by"] = None
        updated = PayrollPeriod.objects.filter(pk=period.pk, status=old_status).update(**changes)
        if updated != 1:
            raise InvalidTransition(old=old_status, new=new_status)
        after = {"status": new_status}
        if new_status == rules.CLOSED:
            # Month end, in the same transaction as the closing (issue #5, item 9).
            after["carried"] = period_carry_over(actor, period)
            after["flagged"] = period_flag_uncollected(actor, period)
        if new_status == rules.APPROVED:
            after.update(line_count=changes["approved_line_count"], total=changes["approved_total"])
        audit_record(
            actor,
            f"payouts.period_{new_status}",
            period,
            before={"status": old_status},
            after=after,
        )
    period.refresh_from_db()
    return period


# --- Month end --------------------------------------------------------------------------------


def _unpaid_lines(period: PayrollPeriod):
    """Lines of ``period`` with no payout that counts (none, or one that was reversed)."""
    from django.db.models import Exists, OuterRef

    return PayrollLine.objects.filter(period=period).filter(
        ~Exists(Payout.objects.filter(line=OuterRef("pk"), reversal__isnull=True))
    )


def period_carry_over(actor, period: PayrollPeriod) -> int:
    """Copy every unpaid line of a closed period into the programme's next month.

    Domain reference §2: unpaid people carry over to the next month. Idempotent: a line
    is carried once (``payroll_line_carried_once``), so running it again (say after a
    late reversal) carries only what is new. The copy keeps the point, amounts and flags
    and links back with ``carried_from``; it sits beside the person's own line of that
    month. The next period is created (``imported``) when missing; carrying into a
    closed one is refused. Returns how many lines were carried.
    """
    from django.db.models import Exists, OuterRef

    if period.status not in (rules.CLOSED, rules.REPORTED):
        period.refresh_from_db(fields=["status"])
    if period.status not in (rules.CLOSED, rules.REPORTED):
        raise PeriodNotOpen(status=period.status)
    with transaction.atomic():
        todo = list(
            _unpaid_lines(period)
            .filter(~Exists(PayrollLine.objects.filter(carried_from=OuterRef("pk"))))
            .order_by("pk")
        )
        if not todo:
            return 0
        month = rules.add_months(period.month, 1)
        following, created = PayrollPeriod.objects.get_or_create(
            programme_id=period.programme_id, month=month
        )
        if created:
            audit_record(
                actor,
                "payouts.period_create",
                following,
                after={"programme": period.programme.code, "month": rules.format_period(month)},
            )
        if following.status in (rules.CLOSED, rules.REPORTED):
            raise PeriodNotOpen(status=following.status)
        PayrollLine.objects.bulk_create(
            [
                PayrollLine(
                    period=following,
                    beneficiary_id=line.beneficiary_id,
                    payout_point_id=line.payout_point_id,
                    amount=line.amount,
                    arrears=line.arrears,
                    months=line.months,
                    home_payout=line.home_payout,
                    note=line.note,
                    carried_from=line,
                )
                for line in todo
            ],
            batch_size=2000,
        )
        audit_record(
            actor,
            "payouts.carry_over",
            period,
            after={
                "to_period": following.pk,
                "lines": len(todo),
                "total": sum(line.total for line in todo),
            },
        )
    return len(todo)


def period_flag_uncollected(actor, period: PayrollPeriod) -> int:
    """Flag the people of ``period`` who collected nothing for the programme's number of
    consecutive months (``Programme.suspend_after_months``; 3 for social assistance).

    Looks at the periods of the last N months ending with this one; a month without a
    period breaks the chain. Idempotent (one flag per person and period). Returns how many
    new flags were made.
    """
    from .models import SuspensionFlag

    months = period.programme.suspend_after_months
    if not months:
        return 0
    window = rules.months_back(period.month, months)
    periods = {
        p.month: p
        for p in PayrollPeriod.objects.filter(programme_id=period.programme_id, month__in=window)
    }
    if len(periods) < months:
        return 0
    listed, collected = [], []
    for month in window:
        lines = PayrollLine.objects.filter(period=periods[month])
        listed.append(set(lines.values_list("beneficiary_id", flat=True)))
        collected.append(
            set(
                lines.filter(payouts__isnull=False, payouts__reversal__isnull=True).values_list(
                    "beneficiary_id", flat=True
                )
            )
        )
    people = rules.uncollected_for(months, listed, collected)
    with transaction.atomic():
        known = set(
            SuspensionFlag.objects.filter(period=period, beneficiary_id__in=people).values_list(
                "beneficiary_id", flat=True
            )
        )
        new = sorted(people - known)
        SuspensionFlag.objects.bulk_create(
            [
                SuspensionFlag(beneficiary_id=pk, period=period, months_uncollected=months)
                for pk in new
            ],
            batch_size=2000,
        )
        if new:
            audit_record(
                actor,
                "payouts.flag_uncollected",
                period,
                after={"people": len(new), "months": months},
            )
    return len(new)


def suspension_flag_decide(actor, flag, *, suspend: bool, reason: str):
    """A supervisor's decision on a flag: suspend the person's payments, or not.

    Compare-and-set on the flag's status; suspending sets ``Beneficiary.is_suspended``
    (a suspended person is not paid, ``payout_record``). Audited with the reason.
    """
    from postops.accounts.roles import has_role

    from .models import SuspensionFlag

    reason = (reason or "").strip()
    if not has_role(actor, "supervisor", "manager", "admin"):
        raise NotAllowed()
    if not reason:
        raise InvalidRequest(field="reason")
    status = SuspensionFlag.Status.SUSPENDED if suspend else SuspensionFlag.Status.DISMISSED
    with transaction.atomic():
        updated = SuspensionFlag.objects.filter(
            pk=flag.pk, status=SuspensionFlag.Status.OPEN
        ).update(status=status, decided_by=actor, decided_at=timezone.now(), reason=reason[:300])
        if updated != 1:
            raise InvalidRequest(field="status")
        if suspend:
            Beneficiary.objects.filter(pk=flag.beneficiary_id).update(
                is_suspended=True, updated_at=timezone.now()
            )
        audit_record(
            actor,
            "payouts.suspension_decide",
            flag,
            after={"beneficiary": flag.beneficiary_id, "status": status, "reason": reason[:300]},
        )
    flag.refresh_from_db()
    return flag


# --- Proxies ----------------------------------------------------------------------------------


def proxy_create(
    actor,
    beneficiary: Beneficiary,
    *,
    full_name: str,
    id_number: str,
    authorisation_number: str,
    valid_from: date,
    valid_to: date,
    certified: bool,
    id_document_type: str = rules.CCCD,
) -> Proxy:
    """Record a written authorisation to collect ``beneficiary``'s payments.

    Law 41/2024/QH15: at most the programme's ``max_authorisation_months`` (12 for
    pensions); the certification is checked at payout time, so an uncertified
    authorisation may be recorded but cannot be used.
    """
    from .selectors import beneficiary_in_scope

    if getattr(actor, "is_authenticated", False) and not beneficiary_in_scope(
        actor, beneficiary.pk
    ):
        raise OutOfScope()
    limit = beneficiary.programme.max_authorisation_months
    if not rules.authorisation_period_ok(valid_from, valid_to, limit):
        raise AuthorisationInvalid(
            field="valid_to",
            last_allowed=rules.authorisation_last_day(valid_from, limit).isoformat(),
        )
    if id_document_type not in rules.ID_DOCUMENT_TYPES:
        raise AuthorisationInvalid(field="id_document_type")
    with transaction.atomic():
        proxy = Proxy.objects.create(
            beneficiary=beneficiary,
            full_name=full_name.strip(),
            id_document_type=id_document_type,
            id_number=rules.normalise_document_number(id_number),
            authorisation_number=authorisation_number.strip(),
            valid_from=valid_from,
            valid_to=valid_to,
            certified=certified,
            created_by=actor,
        )
        audit_record(
            actor,
            "payouts.proxy_create",
            proxy,
            after={
                "beneficiary": beneficiary.pk,
                "valid_from": valid_from.isoformat(),
                "valid_to": valid_to.isoformat(),
                "certified": certified,
            },
        )
    return proxy


def proxy_revoke(actor, proxy: Proxy, reason: str) -> Proxy:
    """Record that the beneficiary withdrew an authorisation (from now on it pays nobody).

    Compare-and-set on ``revoked_at``: a second revocation is refused, not repeated.
    Payouts already made under it stay valid. The beneficiary must be in the actor's scope
    (their default point, or a point paying one of their lines).
    """
    from .selectors import beneficiary_in_scope

    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest(field="reason")
    if not beneficiary_in_scope(actor, proxy.beneficiary_id):
        raise OutOfScope()
    now = timezone.now()
    with transaction.atomic():
        updated = Proxy.objects.filter(pk=proxy.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=actor, revoke_reason=reason[:300]
        )
        if updated != 1:
            raise AuthorisationInvalid(_("Giấy ủy quyền này đã bị thu hồi trước đó."))
        audit_record(
            actor,
            "payouts.proxy_revoke",
            proxy,
            before={"revoked": False},
            after={"revoked": True, "reason": reason[:300]},
        )
    proxy.refresh_from_db()
    return proxy


# --- Payouts ----------------------------------------------------------------------------------

# A device clock may run a little fast; beyond this, a "future" payment time is refused.
PAID_AT_TOLERANCE = timedelta(minutes=10)


def _scope_ids(actor) -> set[int]:
    from postops.accounts.api_auth import office_scope_ids_for

    return set(office_scope_ids_for(actor))


def _existing_for_key(idempotency_key: str, line_id: int) -> Payout | None:
    """The payout already made with this key, or ``None``; a key reused for another line
    is an error (Stripe: a key identifies one request, not one client)."""
    payout = Payout.objects.filter(idempotency_key=idempotency_key).first()
    if payout is not None and payout.line_id != line_id:
        raise IdempotencyKeyReused()
    return payout


def _next_receipt(office, year: int) -> int:
    """Take the next receipt number of ``office`` for ``year`` under a row lock.

    The counter row is locked until the payout's transaction ends, so two tellers of one
    office get consecutive numbers, and a payout that rolls back gives its number back:
    no gaps, no duplicates (the unique constraint on the payout is the backstop).
    """
    from django.db.models import F

    # The UPDATE takes the row lock itself (one statement instead of SELECT … FOR UPDATE
    # plus UPDATE); the first payout of an office's year creates the row.
    counters = ReceiptCounter.objects.filter(office=office, year=year)
    if not counters.update(last_number=F("last_number") + 1):
        ReceiptCounter.objects.get_or_create(office=office, year=year)
        counters.update(last_number=F("last_number") + 1)
    return counters.values_list("last_number", flat=True).get()


def _cash_day_closed(office, day: date, teller) -> bool:
    """A closed cash book covers this payout: the point's for the day, or the teller's."""
    return (
        CashDay.objects.filter(office=office, day=day, status=CashDay.Status.CLOSED)
        .filter(Q(teller__isnull=True) | Q(teller=teller))
        .exists()
    )


def _schedule_check(line: PayrollLine, day: date) -> None:
    """Refuse a payout on a day outside the schedule of the line's payout point.

    Domain reference §2 and issue #5 (items 5 and 6): each payout point pays a period on
    its scheduled days (``PayoutSchedule``: e.g. commune points days 2–10, post offices
    11–25); a point without a schedule has no payout days. A supervisor may open one day
    at a point as an exception (``payout_schedule_exception_open``). The line's point
    decides, wherever the money is handed over: home payouts follow their point's
    schedule. ``day`` is the local day of payment (the device's time for queued payments).
    """
    schedule = (
        PayoutSchedule.objects.filter(period_id=line.period_id, point_id=line.payout_point_id)
        .values_list("first_day", "last_day")
        .first()
    )
    if rules.schedule_allows(day, schedule, exception=False):
        return
    exception = PayoutScheduleException.objects.filter(
        point_id=line.payout_point_id, day=day
    ).exists()
    if rules.schedule_allows(day, schedule, exception):
        return
    details = {"day": day.isoformat(), "point": line.payout_point.code}
    if schedule is None:
        raise OutsideSchedule(
            _(
                "Điểm chi trả %(point)s chưa có lịch chi trả cho kỳ này; chỉ chi được vào ngày "
                "giám sát viên mở ngoại lệ."
            )
            % {"point": line.payout_point.code},
            **details,
        )
    raise OutsideSchedule(
        _(
            "Ngày %(day)s nằm ngoài lịch chi trả của điểm %(point)s (từ %(first)s đến "
            "%(last)s). Cần giám sát viên mở ngoại lệ cho ngày này."
        )
        % {
            "day": day.strftime("%d/%m/%Y"),
            "point": line.payout_point.code,
            "first": schedule[0].strftime("%d/%m/%Y"),
            "last": schedule[1].strftime("%d/%m/%Y"),
        },
        first_day=schedule[0].isoformat(),
        last_day=schedule[1].isoformat(),
        **details,
    )


def _identity_failure_record(actor, line_id: int, code: str, office, request=None) -> None:
    # Kept apart from the refused payout's rolled-back transaction: repeated mismatches on
    # one line are what an auditor looks for.
    with transaction.atomic():
        audit_record(
            actor,
            "payouts.pay_refused",
            target_type="payouts.payrollline",
            target_id=str(line_id),
            after={"code": code},
            office=office,
            request=request,
        )


def payout_record(
    actor,
    *,
    line_id: int,
    idempotency_key: str,
    receiver: str,
    id_document_type: str,
    id_document_number: str,
    proxy_id: int | None = None,
    office=None,
    paid_at=None,
    request=None,
) -> tuple[Payout, bool]:
    """Pay one payroll line, exactly once. Returns ``(payout, created)``.

    * The person shows the citizen ID card or a passport; type and number must match the
      record. A proxy shows their own document and an authorisation that is certified and
      valid on the day of payment (Law 41/2024/QH15; domain reference §2).
    * Exactly once: the line row is locked for the transaction and ``Payout.line`` is
      unique. A replay with the same ``idempotency_key`` returns the first payout
      (``created`` False); another key for a paid line raises ``AlreadyPaid``.
    * The receipt number is taken per office and year without gaps (``_next_receipt``).
    * ``paid_at`` is the device's time of payment (default: now); ``office`` is where the
      money was handed over (default: the line's payout point). Both the line's point and
      that office must be in the teller's office scope. The period must be "paying".
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise InvalidRequest(field="idempotency_key")
    if receiver not in (Payout.Receiver.SELF, Payout.Receiver.PROXY):
        raise InvalidRequest(field="receiver")
    if (receiver == Payout.Receiver.PROXY) != (proxy_id is not None):
        raise InvalidRequest(field="proxy_id")
    now = timezone.now()
    paid_at = paid_at or now
    if paid_at > now + PAID_AT_TOLERANCE:
        raise InvalidRequest(field="paid_at")

    existing = _existing_for_key(key, line_id)
    if existing is not None:
        return existing, False

    scope = _scope_ids(actor)
    try:
        with transaction.atomic():
            line = (
                PayrollLine.objects.select_for_update(of=("self",))
                .select_related("period", "period__programme", "beneficiary", "payout_point")
                .filter(pk=line_id)
                .first()
            )
            if line is None:
                raise LineNotFound()
            # Someone may have paid while this request waited for the lock: one query for
            # both "this key was used" and "this line was paid".
            earlier = list(Payout.objects.filter(Q(idempotency_key=key) | Q(line_id=line_id)))
            for payout in earlier:
                if payout.idempotency_key == key:
                    if payout.line_id != line_id:
                        raise IdempotencyKeyReused()
                    return payout, False
            if earlier:
                raise AlreadyPaid(receipt_number=earlier[0].receipt_number)
            office = office or line.payout_point
            if line.payout_point_id not in scope or office.pk not in scope:
                raise OutOfScope()
            if line.period.status != rules.PAYING:
                raise PeriodNotOpen(status=line.period.status)
            beneficiary = line.beneficiary
            if beneficiary.is_suspended:
                raise BeneficiarySuspended()
            proxy = None
            paid_day = timezone.localdate(paid_at)
            if receiver == Payout.Receiver.PROXY:
                proxy = Proxy.objects.filter(pk=proxy_id, beneficiary=beneficiary).first()
                if proxy is None or not proxy.valid_on(paid_day):
                    raise AuthorisationInvalid()
                identity = proxy.identity
            else:
                identity = beneficiary.identity
            if not rules.identity_matches(identity, id_document_type, id_document_number):
                raise IdentityMismatch()
            _schedule_check(line, paid_day)
            if _cash_day_closed(office, paid_day, actor):
                raise CashDayClosed()
            year = paid_day.year
            sequence = _next_receipt(office, year)
            payout = Payout.objects.create(
                line=line,
                idempotency_key=key,
                receiver=receiver,
                proxy=proxy,
                id_document_type=id_document_type,
                id_document_number=rules.normalise_document_number(id_document_number),
                amount=line.total,
                teller=actor,
                office=office,
                paid_at=paid_at,
                receipt_year=year,
                receipt_sequence=sequence,
                receipt_number=rules.receipt_number(office.code, year, sequence),
            )
            audit_record(
                actor,
                "payouts.pay",
                payout,
                after={
                    "line": line.pk,
                    "amount": payout.amount,
                    "receiver": receiver,
                    "proxy": proxy.pk if proxy else None,
                    "receipt_number": payout.receipt_number,
                },
                office=office,
                request=request,
            )
    except (IdentityMismatch, AuthorisationInvalid) as exc:
        _identity_failure_record(actor, line_id, exc.code, office, request)
        raise
    except IntegrityError:
        # The constraints caught a race the lock did not (e.g. one key sent for two lines
        # at once): answer as the winner's state says.
        existing = _existing_for_key(key, line_id)
        if existing is not None:
            return existing, False
        paid = Payout.objects.filter(line_id=line_id).first()
        if paid is not None:
            raise AlreadyPaid(receipt_number=paid.receipt_number) from None
        raise
    return payout, True


def payout_reverse(actor, payout: Payout, reason: str, request=None) -> PayoutReversal:
    """Reverse a payout: only a supervisor of the paying office's scope, with a reason.

    The payout row stays (append-only); the reversal row is audited in the same
    transaction. The line is not paid again in this period; month end carries it over.
    """
    from postops.accounts.roles import has_role

    reason = (reason or "").strip()
    if not has_role(actor, "supervisor"):
        raise NotAllowed()
    if not reason:
        raise InvalidRequest(field="reason")
    if payout.office_id not in _scope_ids(actor):
        raise OutOfScope()
    try:
        with transaction.atomic():
            reversal = PayoutReversal.objects.create(payout=payout, supervisor=actor, reason=reason)
            audit_record(
                actor,
                "payouts.reverse",
                payout,
                after={"reason": reason, "amount": payout.amount},
                request=request,
            )
    except IntegrityError:
        raise AlreadyReversed() from None
    return reversal


def payroll_import_enqueue(
    actor, period: PayrollPeriod, upload, *, valid_only: bool = False, actor_label: str = ""
) -> ImportJob:
    """Store an uploaded payroll file and queue its import; the caller answers 202.

    The job is created "pending" with the file; the task runs ``payroll_import`` once the
    transaction commits (so the worker can see the job).
    """
    from .tasks import payroll_import_run

    user = actor if getattr(actor, "is_authenticated", False) else None
    name = (getattr(upload, "name", "") or "payroll")[-255:]
    with transaction.atomic():
        job = ImportJob(
            period=period,
            file_name=name,
            file_sha256="",
            valid_only=valid_only,
            created_by=user,
        )
        job.file.save(name, upload, save=False)
        job.save()
        audit_record(
            user,
            "payouts.import_queued",
            job,
            after={"period": period.pk, "file_name": name, "valid_only": valid_only},
            actor_label=actor_label,
        )
        transaction.on_commit(lambda: payroll_import_run.enqueue(job.pk))
    return job


def payroll_import_retry_valid_only(actor, job: ImportJob) -> ImportJob:
    """Import a rejected file again, keeping only its valid rows (the operator's choice).

    A new job reads the same stored file with ``valid_only``; the rejected job stays as
    the record of what was wrong. Only for a job rejected for row errors that also had
    valid rows, while its period still takes files.
    """
    from .tasks import payroll_import_run

    if job.status != ImportJob.Status.REJECTED or not job.invalid or not job.valid:
        raise InvalidRequest(field="job")
    if not job.file:
        raise InvalidRequest(field="file")
    if job.period.status != rules.IMPORTED:
        raise PeriodNotOpen(status=job.period.status)
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        retry = ImportJob.objects.create(
            period=job.period,
            file=job.file.name,
            file_name=job.file_name,
            file_sha256="",
            valid_only=True,
            retry_of=job,
            created_by=user,
        )
        audit_record(
            user,
            "payouts.import_queued",
            retry,
            after={"period": job.period_id, "retry_of": job.pk, "valid_only": True},
        )
        transaction.on_commit(lambda: payroll_import_run.enqueue(retry.pk))
    return retry


# --- Payout schedule --------------------------------------------------------------------------


def payout_schedule_set(
    actor,
    period: PayrollPeriod,
    point,
    first_day: date,
    last_day: date,
    note: str = "",
    *,
    actor_label: str = "",
) -> PayoutSchedule:
    """Set the days ``point`` pays ``period`` (both inside the period's month).

    The point must be in the actor's office scope (a staff user, or a supervisor's API
    key). Audited with the old and new range.
    """
    if not rules.schedule_range_ok(period.month, first_day, last_day):
        raise ScheduleInvalid(field="first_day")
    if point.pk not in _scope_ids(actor):
        raise OutOfScope()
    if period.status in (rules.CLOSED, rules.REPORTED):
        raise PeriodNotOpen(status=period.status)
    note = (note or "").strip()
    with transaction.atomic():
        current = (
            PayoutSchedule.objects.select_for_update().filter(period=period, point=point).first()
        )
        before = (
            {
                "first_day": current.first_day.isoformat(),
                "last_day": current.last_day.isoformat(),
                "note": current.note,
            }
            if current
            else {}
        )
        schedule = current or PayoutSchedule(period=period, point=point)
        schedule.first_day, schedule.last_day, schedule.note = first_day, last_day, note
        schedule.updated_by = actor if getattr(actor, "is_authenticated", False) else None
        schedule.save()
        after = {
            "first_day": first_day.isoformat(),
            "last_day": last_day.isoformat(),
            "note": note,
        }
        old, new = changed_fields(before, after)
        if new:
            audit_record(
                actor,
                "payouts.schedule_set",
                schedule,
                before={"period": period.pk, "point": point.code, **old},
                after=new,
                office=point,
                actor_label=actor_label,
            )
    return schedule


def payout_schedule_apply_by_kind(
    actor, period: PayrollPeriod, kind: str, first: int, last: int
) -> int:
    """Days ``first``–``last`` of the month for every point of office ``kind`` that pays
    lines of ``period`` within the actor's scope ("commune points 2–10, post offices
    11–25"). Returns how many points were set."""
    try:
        first_day, last_day = rules.schedule_days(period.month, first, last)
    except ValueError:
        raise ScheduleInvalid(field="first") from None
    scope = _scope_ids(actor)
    from postops.network.models import Office

    points = Office.objects.filter(
        kind=kind,
        pk__in=PayrollLine.objects.filter(period=period).values("payout_point_id"),
    ).filter(pk__in=scope)
    count = 0
    with transaction.atomic():
        for point in points:
            current = PayoutSchedule.objects.filter(period=period, point=point).first()
            payout_schedule_set(
                actor, period, point, first_day, last_day, current.note if current else ""
            )
            count += 1
    return count


def payout_schedule_copy_previous(actor, period: PayrollPeriod) -> int:
    """Give ``period`` the same days of the month as the programme's previous period, for
    the points in the actor's scope that have none yet (days beyond the month's end are
    cut to its last day). Returns how many points were set."""
    import calendar

    previous = (
        PayrollPeriod.objects.filter(programme_id=period.programme_id, month__lt=period.month)
        .order_by("-month")
        .first()
    )
    if previous is None:
        return 0
    scope = _scope_ids(actor)
    taken = set(PayoutSchedule.objects.filter(period=period).values_list("point_id", flat=True))
    length = calendar.monthrange(period.month.year, period.month.month)[1]
    count = 0
    with transaction.atomic():
        for old in PayoutSchedule.objects.filter(period=previous).select_related("point"):
            if old.point_id in taken or old.point_id not in scope:
                continue
            payout_schedule_set(
                actor,
                period,
                old.point,
                period.month.replace(day=min(old.first_day.day, length)),
                period.month.replace(day=min(old.last_day.day, length)),
                old.note,
            )
            count += 1
    return count


def payout_schedule_exception_open(actor, point, day: date, reason: str):
    """A supervisor opens ``day`` at ``point`` for payouts outside its schedule.

    Issue #5: outside the scheduled days a point does not pay unless a supervisor opened an
    exception for that point and day. Only a supervisor (or manager) whose office scope
    holds the point; a reason is required; recorded and audited. Opening the same day
    again returns the existing exception (``created`` False) and changes nothing.
    Returns ``(exception, created)``.
    """
    from postops.accounts.roles import has_role

    reason = (reason or "").strip()
    if not has_role(actor, "supervisor", "manager"):
        raise NotAllowed()
    if not reason:
        raise InvalidRequest(field="reason")
    if point.pk not in _scope_ids(actor):
        raise OutOfScope()
    with transaction.atomic():
        exception, created = PayoutScheduleException.objects.get_or_create(
            point=point, day=day, defaults={"reason": reason[:300], "opened_by": actor}
        )
        if created:
            audit_record(
                actor,
                "payouts.schedule_exception_open",
                exception,
                after={"point": point.code, "day": day.isoformat(), "reason": reason[:300]},
                office=point,
            )
    return exception, created


# --- Report to the paying agency ---------------------------------------------------------------


def period_mark_reported(
    actor, period: PayrollPeriod, *, reference: str, delivered_at=None
) -> PayrollPeriod:
    """Record that the month-end report was sent to (or received by) the paying agency.

    Domain reference §2: the paying organisation reports who was and was not paid before
    the 20th of the following month. Sending stays a manual act (post, e-mail, the
    agency's portal); this records who sent it, when it was delivered, the agency's
    reference (dispatch or receipt number) and the SHA-256 of the report's content
    (``selectors.period_report_checksum``), so the copy the agency holds can be matched
    to the data. Compare-and-set closed → reported, audited in the same transaction.
    """
    from postops.accounts.roles import has_role

    from .selectors import period_report, period_report_checksum

    reference = (reference or "").strip()
    if not has_role(actor, "supervisor", "manager", "admin"):
        raise NotAllowed()
    if not reference:
        raise InvalidRequest(_("Cần nhập số văn bản hoặc số biên nhận."), field="reference")
    now = timezone.now()
    delivered_at = delivered_at or now
    if delivered_at > now + PAID_AT_TOLERANCE:
        raise InvalidRequest(_("Thời điểm gửi không được ở tương lai."), field="delivered_at")
    if not rules.period_can_move(period.status, rules.REPORTED):
        raise InvalidTransition(old=period.status, new=rules.REPORTED)
    with transaction.atomic():
        checksum = period_report_checksum(period_report(period))
        updated = PayrollPeriod.objects.filter(pk=period.pk, status=rules.CLOSED).update(
            status=rules.REPORTED,
            reported_by=actor,
            reported_at=delivered_at,
            report_reference=reference[:100],
            report_sha256=checksum,
            updated_at=now,
        )
        if updated != 1:
            raise InvalidTransition(old=period.status, new=rules.REPORTED)
        audit_record(
            actor,
            "payouts.period_reported",
            period,
            before={"status": rules.CLOSED},
            after={
                "status": rules.REPORTED,
                "reference": reference[:100],
                "delivered_at": delivered_at.isoformat(),
                "sha256": checksum,
            },
        )
    period.refresh_from_db()
    return period


PROGRAMME_RULE_FIELDS = (
    "name",
    "suspend_after_months",
    "home_payout_age",
    "max_authorisation_months",
    "rules_source",
    "is_active",
)


def programme_update_rules(actor, programme: Programme, **values) -> Programme:
    """Change a programme's rules (numbers are data, from the law or the paying agency).

    Only ``PROGRAMME_RULE_FIELDS`` may change; the old and new values are audited.
    """
    unknown = set(values) - set(PROGRAMME_RULE_FIELDS)
    if unknown:
        raise InvalidRequest(fields=sorted(unknown))
    with transaction.atomic():
        current = Programme.objects.select_for_update().get(pk=programme.pk)
        before = {name: getattr(current, name) for name in values}
        for name, value in values.items():
            setattr(current, name, value)
        current.save(update_fields=list(values))
        old, new = changed_fields(before, values)
        if new:
            audit_record(actor, "payouts.programme_update", current, before=old, after=new)
    return current


# --- Cash per point or teller per day (issue #5, item 8) ---------------------------------------


def cash_day_open(actor, office, day: date, *, teller=None) -> CashDay:
    """The cash book of ``office`` for ``day`` (the point's own, or ``teller``'s there),
    created when missing. The office must be in the actor's scope; a teller may open only
    their own book or the point's."""
    from postops.accounts.roles import has_role

    if office.pk not in _scope_ids(actor):
        raise OutOfScope()
    if teller is not None and teller.pk != actor.pk and not has_role(actor, "supervisor"):
        raise NotAllowed()
    with transaction.atomic():
        book, created = CashDay.objects.get_or_create(
            office=office, teller=teller, day=day, defaults={"opened_by": actor}
        )
        if created:
            audit_record(
                actor,
                "payouts.cash_day_open",
                book,
                after={
                    "office": office.code,
                    "teller": teller.pk if teller else None,
                    "day": day.isoformat(),
                },
                office=office,
            )
    return book


def _locked_open_book(book: CashDay) -> CashDay:
    locked = CashDay.objects.select_for_update().get(pk=book.pk)
    if locked.status != CashDay.Status.OPEN:
        raise CashDayClosed()
    return locked


def _movement_for_key(key: str, book: CashDay, kind: str, amount: int):
    """The movement already recorded with ``key`` (a replay), or ``None``; the same key for
    a different movement is an error (a key names one request)."""
    movement = CashMovement.objects.filter(idempotency_key=key).first()
    if movement is not None and (movement.cash_day_id, movement.kind, movement.amount) != (
        book.pk,
        kind,
        amount,
    ):
        raise IdempotencyKeyReused()
    return movement


def cash_movement_record(
    actor, book: CashDay, kind: str, amount: int, note: str = "", *, idempotency_key=None
):
    """Append cash advanced, handed back or counted to an open book (audited).

    Movements are never edited: a mistake is corrected by another movement (a further
    advance or return) or a new count, which replaces the earlier one for the totals.
    With ``idempotency_key`` (the API), a replay returns the first movement and records
    nothing (``movement.replayed`` is True); the unique key is the backstop for a race.
    """
    if kind not in CashMovement.Kind.values:
        raise InvalidRequest(field="kind")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise InvalidRequest(field="amount")
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > 64:
        raise InvalidRequest(field="idempotency_key")
    if book.office_id not in _scope_ids(actor):
        raise OutOfScope()
    if key is not None:
        existing = _movement_for_key(key, book, kind, amount)
        if existing is not None:
            existing.replayed = True
            return existing
    try:
        movement = _cash_movement_insert(actor, book, kind, amount, note, key)
    except IntegrityError:
        existing = _movement_for_key(key, book, kind, amount) if key else None
        if existing is None:
            raise
        existing.replayed = True
        return existing
    movement.replayed = False
    return movement


def _cash_movement_insert(actor, book, kind, amount, note, key):
    with transaction.atomic():
        locked = _locked_open_book(book)
        movement = CashMovement.objects.create(
            cash_day=locked,
            kind=kind,
            amount=amount,
            note=(note or "").strip()[:200],
            actor=actor,
            idempotency_key=key,
        )
        audit_record(
            actor,
            f"payouts.cash_{kind}",
            locked,
            after={"amount": amount, "movement": movement.pk},
            office=locked.office,
        )
    return movement


def cash_variance_sign_off(actor, book: CashDay, reason: str) -> CashVarianceSignoff:
    """A supervisor explains the current variance of an open book, with a reason.

    The supervisor must not be the book's teller (four eyes); the cash must have been
    counted and differ from what is expected.
    """
    from postops.accounts.roles import has_role

    from .selectors import cash_day_figures

    reason = (reason or "").strip()
    if not has_role(actor, "supervisor"):
        raise NotAllowed()
    if book.teller_id is not None and book.teller_id == actor.pk:
        raise NotAllowed(_("Người ký xác nhận chênh lệch phải khác người chi của sổ."))
    if not reason:
        raise InvalidRequest(field="reason")
    if book.office_id not in _scope_ids(actor):
        raise OutOfScope()
    with transaction.atomic():
        locked = _locked_open_book(book)
        figures = cash_day_figures(locked)
        if figures.variance in (None, 0):
            raise CashDayCannotClose(_("Không có chênh lệch nào cần xác nhận."))
        signoff = CashVarianceSignoff.objects.create(
            cash_day=locked, variance=figures.variance, reason=reason, supervisor=actor
        )
        audit_record(
            actor,
            "payouts.cash_variance_sign_off",
            locked,
            after={"variance": figures.variance, "reason": reason},
            office=locked.office,
        )
    return signoff


def cash_day_close(actor, book: CashDay) -> CashDay:
    """Close a book: counted, and any variance signed off for exactly its amount.

    The figures are kept on the book; afterwards no movement is recorded and no payout is
    made on that book (``payout_record`` checks it). Compare-and-set on the status.
    """
    from .selectors import cash_day_figures, cash_day_signed_variance

    if book.office_id not in _scope_ids(actor):
        raise OutOfScope()
    with transaction.atomic():
        locked = _locked_open_book(book)
        figures = cash_day_figures(locked)
        ok, why = rules.cash_day_can_close(figures, cash_day_signed_variance(locked))
        if not ok:
            messages = {
                "not_counted": _("Chưa kiểm đếm tiền mặt cuối ngày."),
                "variance_unexplained": _(
                    "Có chênh lệch chưa được giải trình và giám sát viên ký xác nhận."
                ),
            }
            raise CashDayCannotClose(messages[why], reason=why)
        now = timezone.now()
        updated = CashDay.objects.filter(pk=locked.pk, status=CashDay.Status.OPEN).update(
            status=CashDay.Status.CLOSED,
            closed_by=actor,
            closed_at=now,
            closed_advanced=figures.advanced,
            closed_paid_out=figures.paid_out,
            closed_returned=figures.returned,
            closed_counted=figures.counted,
            closed_variance=figures.variance,
        )
        if updated != 1:
            raise CashDayClosed()
        audit_record(
            actor,
            "payouts.cash_day_close",
            locked,
            before={"status": "open"},
            after={
                "status": "closed",
                "advanced": figures.advanced,
                "paid_out": figures.paid_out,
                "returned": figures.returned,
                "counted": figures.counted,
                "variance": figures.variance,
            },
            office=locked.office,
        )
    locked.refresh_from_db()
    return locked
