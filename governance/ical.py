"""An iCalendar (RFC 5545) feed of meetings, written by hand: text values escaped (§3.3.11), lines folded at
75 octets without splitting a UTF-8 character (§3.1), CRLF line ends, times in UTC."""

from collections.abc import Iterable
from datetime import UTC, datetime

from governance.enums import MeetingStatus
from governance.models import Meeting

PRODID = "-//Pilote CTG//Instances de la CTG//FR"
LINE_OCTETS = 75


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split `line` into chunks of at most 75 octets, each continuation starting with a space."""
    chunks, current, size = [], "", 0
    for char in line:
        octets = len(char.encode())
        limit = LINE_OCTETS if not chunks else LINE_OCTETS - 1  # a continuation's leading space counts
        if size + octets > limit:
            chunks.append(current)
            current, size = "", 0
        current += char
        size += octets
    chunks.append(current)
    return "\r\n ".join(chunks)


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def meeting_description(meeting: Meeting) -> str:
    lines = []
    items = list(meeting.agenda_items.all())
    if items:
        lines.append("Ordre du jour :")
        lines += [f"{number}. {item.title}" for number, item in enumerate(items, start=1)]
    if meeting.visio_url:
        lines.append(f"Lien de visio : {meeting.visio_url}")
    return "\n".join(lines)


def event_lines(meeting: Meeting, url: str) -> list[str]:
    location = meeting.place or ("Visio" if meeting.visio_url else "")
    status = "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED"
    lines = [
        "BEGIN:VEVENT",
        f"UID:reunion-{meeting.pk}@pilote-ctg",
        f"DTSTAMP:{utc(meeting.created_at)}",
        f"DTSTART:{utc(meeting.starts_at)}",
    ]
    if meeting.ends_at:
        lines.append(f"DTEND:{utc(meeting.ends_at)}")
    lines += [
        f"SUMMARY:{escape_text(f'{meeting.body.name} ({meeting.body.get_kind_display()})')}",
        f"STATUS:{status}",
        f"URL:{url}",
    ]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if description := meeting_description(meeting):
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    lines.append("END:VEVENT")
    return lines


def calendar(meetings: Iterable[Meeting], name: str, url_of) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for meeting in meetings:
        lines += event_lines(meeting, url_of(meeting))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
