"""The facilities' funding of year N in the bilan annuel (domain.md §5, section 5 "Financement"): the CAF lines per
facility and scheme (PSU, prestations de service, bonus territoire…) with those of the commune and the other
funders, planned against notified against paid, totalled per facility and per funder.

One query for every line of N (`FundingLine.with_amount`: the flat amount or quantity × rate). A line's planned
amount is the one entered, else its computed amount ("sinon le montant calculé fait foi", as the funding form
says); an amount not yet notified or paid is unknown, not zero: a total is "–" while none of its lines has one.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from partners.enums import FundingFunder, FundingScheme
from partners.models import Facility, FundingLine

if TYPE_CHECKING:
    from reports.bilan import BilanSource

MUNICIPAL_MANAGEMENT = "Régie municipale"
FUNDER_ORDER = {funder.value: index for index, funder in enumerate(FundingFunder)}
SCHEME_ORDER = {scheme.value: index for index, scheme in enumerate(FundingScheme)}
FUNDER_LABELS = dict(FundingFunder.choices)


def total(values: list[Decimal | None]) -> Decimal | None:
    known = [value for value in values if value is not None]
    return sum(known, Decimal(0)) if known else None


@dataclass(frozen=True)
class Amounts:
    lines: int
    planned: Decimal | None
    notified: Decimal | None
    paid: Decimal | None

    @classmethod
    def of(cls, rows: list["FundingRow"]) -> "Amounts":
        return cls(
            lines=len(rows),
            planned=total([row.planned for row in rows]),
            notified=total([row.notified for row in rows]),
            paid=total([row.paid for row in rows]),
        )


@dataclass(frozen=True)
class FundingRow:
    scheme: str
    funder: str
    stage: str
    planned: Decimal | None
    notified: Decimal | None
    paid: Decimal | None


@dataclass(frozen=True)
class FacilityFunding:
    facility: Facility
    manager: str
    rows: list[FundingRow]  # CAF first, then the commune and the other funders
    total: Amounts


@dataclass(frozen=True)
class FunderTotal:
    label: str
    amounts: Amounts


def funding_lines(year: int) -> list[FundingLine]:
    """The funding lines of `year` with their facility and its manager (1 query), by facility, funder (CAF
    first) and scheme."""
    lines = FundingLine.objects.filter(year=year).with_amount().select_related("facility__manager").order_by()
    return sorted(
        lines,
        key=lambda line: (
            line.facility.name.casefold(),
            line.facility_id,
            FUNDER_ORDER.get(line.funder, len(FUNDER_ORDER)),
            SCHEME_ORDER.get(line.scheme, len(SCHEME_ORDER)),
            line.pk,
        ),
    )


def row_of(line: FundingLine) -> FundingRow:
    return FundingRow(
        scheme=line.get_scheme_display(),
        funder=line.get_funder_display(),
        stage=line.get_stage_display(),
        planned=line.planned if line.planned is not None else line.amount,
        notified=line.notified,
        paid=line.paid,
    )


def facility_funding(source: "BilanSource") -> dict | None:
    """The facilities' funding of N: per facility its lines and total, then the totals per funder and overall;
    None when no line exists for N."""
    lines = source.funding_lines
    if not lines:
        return None
    facilities: dict[int, tuple[Facility, list[FundingRow]]] = {}
    by_funder: dict[str, list[FundingRow]] = {}
    for line in lines:
        row = row_of(line)
        facilities.setdefault(line.facility_id, (line.facility, []))[1].append(row)
        by_funder.setdefault(line.funder, []).append(row)
    rows = [row for _, facility_rows in facilities.values() for row in facility_rows]
    return {
        "facilities": [
            FacilityFunding(
                facility=facility,
                manager=facility.manager.name if facility.manager else MUNICIPAL_MANAGEMENT,
                rows=facility_rows,
                total=Amounts.of(facility_rows),
            )
            for facility, facility_rows in facilities.values()
        ],
        "funders": [
            FunderTotal(FUNDER_LABELS.get(funder, funder), Amounts.of(funder_rows))
            for funder, funder_rows in sorted(by_funder.items(), key=lambda item: FUNDER_ORDER.get(item[0], 99))
        ],
        "total": Amounts.of(rows),
    }
