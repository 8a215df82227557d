"""The console's pictures as geometry for the templates' server-side SVG: coordinates in a
fixed viewBox (the SVG scales to its box), computed here so the templates only draw."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import formats, timezone

from terminals.figures import WINDOWS, FleetPoint
from terminals.models import Episode

WIDTH = 720
TIMELINE_HEIGHT = 28
FLEET_HEIGHT = 120


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Span:
    x: float
    width: float
    episode: Episode


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    point: FleetPoint


def _label(moment: datetime, window: str) -> str:
    moment = timezone.localtime(moment)
    if window == "24h":
        return formats.time_format(moment, "H:i")
    return formats.date_format(moment, "SHORT_DATE_FORMAT")


def _ticks(since: datetime, now: datetime, window: str, count: int = 6) -> list[Tick]:
    span = now - since
    return [
        Tick(x=round(WIDTH * index / count, 1), label=_label(since + span * index / count, window))
        for index in range(count + 1)
    ]


def timeline(*, episodes: list[Episode], window: str, now: datetime | None = None) -> dict:
    """Each episode as a span on a strip from the window's start to now."""
    now = now or timezone.now()
    since = now - WINDOWS[window]
    total = (now - since).total_seconds()
    spans = []
    for episode in episodes:
        start = max(episode.started_at, since)
        end = min(episode.ended_at or now, now)
        if end <= start:
            continue
        x = WIDTH * (start - since).total_seconds() / total
        # A short outage stays visible: at least one unit wide.
        width = max(1.0, WIDTH * (end - start).total_seconds() / total)
        spans.append(Span(x=round(x, 1), width=round(width, 1), episode=episode))
    return {
        "width": WIDTH,
        "height": TIMELINE_HEIGHT,
        "spans": spans,
        "ticks": _ticks(since, now, window),
    }


def fleet_bars(*, points: list[FleetPoint], window: str) -> dict:
    """A bar per bucket for the disconnected terminals, scaled to the busiest bucket."""
    peak = max((point.disconnected for point in points), default=0)
    slot = WIDTH / max(len(points), 1)
    bars = []
    for index, point in enumerate(points):
        height = FLEET_HEIGHT * point.disconnected / peak if peak else 0
        if point.disconnected:
            height = max(height, 2.0)
        bars.append(
            Bar(
                x=round(index * slot + slot * 0.15, 1),
                y=round(FLEET_HEIGHT - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                point=point,
            )
        )
    now = points[-1].at + (points[-1].at - points[-2].at) if len(points) > 1 else timezone.now()
    since = now - WINDOWS[window]
    return {
        "width": WIDTH,
        "height": FLEET_HEIGHT,
        "bars": bars,
        "peak": peak,
        "ticks": _ticks(since, now, window),
        "step": timedelta(hours=1) if window == "24h" else timedelta(days=1),
    }
