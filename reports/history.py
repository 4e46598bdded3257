"""A readable history of a bilan annuel: who wrote, produced, validated, transmitted, and when.

Built from the bilan's simple-history records and its versions, in a fixed number of queries.
"""

from django.contrib.auth import get_user_model

from actions.history import HistoryEntry, field_changes
from reports.models import NARRATIVE_FIELDS, AnnualReport, ReportVersion

# What the history tells; `updated_at` / `updated_by` only repeat the record's own date and author.
SHOWN_FIELDS = [
    "status",
    *NARRATIVE_FIELDS,
    "validated_version",
    "validated_by",
    "validated_at",
    "transmitted_version",
    "transmitted_on",
    "transmission_channel",
    "transmitted_by",
    "caf_remarks",
    "caf_remarks_on",
]


def bilan_history(report: AnnualReport, versions: list[ReportVersion]) -> list[HistoryEntry]:
    """Newest first. `versions` are the bilan's versions, already loaded with their `requested_by`."""
    records = sorted(
        report.history.select_related("history_user", "validated_by", "transmitted_by"),
        key=lambda r: (r.history_date, r.history_id),
    )
    fields = [AnnualReport._meta.get_field(name) for name in SHOWN_FIELDS]
    User = get_user_model()
    names = {
        **{(ReportVersion, v.pk): f"version {v.number}" for v in versions},
        **{
            (User, user.pk): str(user)
            for record in records
            for user in (record.validated_by, record.transmitted_by)
            if user is not None
        },
    }
    entries = [
        HistoryEntry(v.requested_at, v.requested_by, f"la version {v.number} du PDF", "requested", [])
        for v in versions
    ]
    previous = None
    for record in records:
        if record.history_type == "+":
            entries.append(HistoryEntry(record.history_date, record.history_user, "le bilan", "created", []))
        elif previous is not None and (changes := field_changes(previous, record, fields, names)):
            entries.append(HistoryEntry(record.history_date, record.history_user, "le bilan", "changed", changes))
        previous = record
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
