"""Document numbers (发文字号): the issuer's yearly sequence and taking the next serial."""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from allocations.models import DocumentSequence, FundNotice, format_doc_number
from perfgoals.models import Organisation

logger = logging.getLogger(__name__)

NUMBER_RETRIES = 5


def _counted(notices):
    """The notices a bureau's sequence continues after: its own, including its historical
    notices loaded with their issuer. An upper-level notice registered by number as a
    reference (no issuer) never moves a sequence, whatever code it was typed with."""
    return notices.exclude(is_external=True, issuer__isnull=True)


def _sequence_for(code: str, year: int) -> DocumentSequence:
    """The issuer's sequence for the year, created on first use from what exists: it starts
    after the highest number already recorded and keeps the issuer's padding convention."""
    sequence = DocumentSequence.objects.filter(issuer_code=code, year=year).first()
    if sequence is not None:
        return sequence
    used = _counted(FundNotice.objects.filter(issuer_code=code, doc_serial__isnull=False))
    last = used.filter(doc_year=year).aggregate(m=Max("doc_serial"))["m"] or 0
    latest = used.order_by("-doc_year", "-doc_serial").first()
    width = latest.doc_serial_width if latest is not None else 0
    try:
        with transaction.atomic():
            return DocumentSequence.objects.create(
                issuer_code=code, year=year, last_serial=last, serial_width=width
            )
    except IntegrityError:
        # Another transaction created it first; use theirs.
        return DocumentSequence.objects.get(issuer_code=code, year=year)


def document_number_next(*, code: str, year: int) -> tuple[int, int]:
    """Take the next serial (and its width). Call inside the issuing transaction: the
    conditional UPDATE holds the sequence row until commit, so concurrent issues queue here.
    Manual numbers entered since are skipped (next after a manual 0296 is 0297); upper-level
    notices registered by number are references and never move the sequence."""
    sequence = _sequence_for(code, year)
    highest_used = (
        _counted(FundNotice.objects.filter(issuer_code=code, doc_year=year)).aggregate(
            m=Max("doc_serial")
        )["m"]
        or 0
    )
    DocumentSequence.objects.filter(pk=sequence.pk).update(
        last_serial=Greatest(F("last_serial"), highest_used) + 1
    )
    sequence.refresh_from_db(fields=["last_serial", "serial_width"])
    # A number held by a reference is passed over, never reused and never followed.
    taken = FundNotice.objects.filter(issuer_code=code, doc_year=year)
    while taken.filter(doc_serial=sequence.last_serial).exists():
        DocumentSequence.objects.filter(pk=sequence.pk).update(last_serial=F("last_serial") + 1)
        sequence.refresh_from_db(fields=["last_serial"])
    return sequence.last_serial, sequence.serial_width


def organisation_codes(organisation: Organisation) -> list[str]:
    """The 发文代字 registered to an organisation's offices (by administrators)."""
    return sorted(
        {
            prefix.strip()
            for prefix in organisation.offices.values_list("document_prefix", flat=True)
            if prefix.strip()
        }
    )


def code_owner(code: str) -> Organisation | None:
    """The organisation whose office has `code` registered, if any."""
    return Organisation.objects.filter(offices__document_prefix=code).order_by("pk").first()


def document_sequence_bump_past(code: str, year: int, serial: int) -> None:
    sequence = _sequence_for(code, year)
    DocumentSequence.objects.filter(pk=sequence.pk, last_serial__lt=serial).update(
        last_serial=serial
    )


def notice_doc_year(notice: FundNotice) -> int:
    """The 文号 year is the year the notice is signed (成文日期), today when not yet signed,
    not its budget year: 冀财社〔2019〕101号 提前下达 2020年 money."""
    signed = notice.signed_date or timezone.localdate()
    return signed.year


def notice_doc_number_preview(notice: FundNotice) -> str:
    """The number issuing would give now, without taking it (the confirmation page names
    it): the typed number, or the next of the issuer's series for the year of signature.
    Another issue in between may take it; the page says so."""
    if notice.doc_serial is not None:
        return notice.doc_number
    year = notice_doc_year(notice)
    code = notice.issuer_code
    sequence = DocumentSequence.objects.filter(issuer_code=code, year=year).first()
    # Counted and passed over as document_number_next does: a reference (德财社〔2020〕162号,
    # no issuer) neither moves the series nor is its number given again.
    used = _counted(FundNotice.objects.filter(issuer_code=code, doc_serial__isnull=False))
    highest = used.filter(doc_year=year).aggregate(m=Max("doc_serial"))["m"] or 0
    if sequence is not None:
        last, width = max(sequence.last_serial, highest), sequence.serial_width
    else:
        latest = used.order_by("-doc_year", "-doc_serial").first()
        last, width = highest, latest.doc_serial_width if latest is not None else 0
    taken = set(
        FundNotice.objects.filter(issuer_code=code, doc_year=year, doc_serial__gt=last).values_list(
            "doc_serial", flat=True
        )
    )
    serial = last + 1
    while serial in taken:
        serial += 1
    return format_doc_number(code, year, serial, width)


def notice_save_with_next_number(notice: FundNotice) -> None:
    year = notice_doc_year(notice)
    for _attempt in range(NUMBER_RETRIES):
        serial, width = document_number_next(code=notice.issuer_code, year=year)
        notice.doc_year, notice.doc_serial, notice.doc_serial_width = year, serial, width
        try:
            # Savepoint: a clash (a manual number typed meanwhile) is retried, not fatal.
            with transaction.atomic():
                notice.save()
            return
        except IntegrityError:
            logger.warning("doc number %s taken, retrying", notice.doc_number)
    raise ValidationError(_("发文字号分配失败，请稍后重试。"), code="numbering_failed")
