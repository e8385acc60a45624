"""The transition table, checked pair by pair against an independent written matrix."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postops.items.rules import (
    SCAN_EVENTS,
    TERMINAL,
    TRANSITIONS,
    UPU_CODES,
    Event,
    Status,
    TransitionRefused,
    is_late,
    mask_name,
    months_before,
    next_status,
    range_reusable,
    ranges_overlap,
    status_at,
    transition,
    upu_code,
)

# Columns: the events, in this order.
COLUMNS = [
    Event.ACCEPTED,
    Event.OUTWARD_ARRIVAL,
    Event.OUTWARD_DEPARTURE,
    Event.INWARD_ARRIVAL,
    Event.INWARD_DEPARTURE,
    Event.TRANSIT_ARRIVAL,
    Event.TRANSIT_DEPARTURE,
    Event.SORTING_IN,
    Event.SORTING_OUT,
    Event.DELIVERY_OFFICE_ARRIVAL,
    Event.OUT_FOR_DELIVERY,
    Event.DELIVERY_FAILED,
    Event.DELIVERED,
    Event.HELD,
    Event.PICKUP_POINT_ARRIVAL,
    Event.RETURN_STARTED,
    Event.WITHDRAWN,
    Event.UNCLAIMED,
    Event.REDIRECTED,
]
ABBR = {
    "ACC": Status.ACCEPTED,
    "TRN": Status.IN_TRANSIT,
    "ADO": Status.AT_DELIVERY_OFFICE,
    "OFD": Status.OUT_FOR_DELIVERY,
    "FAIL": Status.DELIVERY_FAILED,
    "HELD": Status.HELD,
    "PICK": Status.AWAITING_PICKUP,
    "DLV": Status.DELIVERED,
    "RTNG": Status.RETURNING,
    "RTND": Status.RETURNED,
    "WDR": Status.WITHDRAWN,
    "UNC": Status.UNCLAIMED,
}
# fmt: off
#                    EMA  EMB  EMC  EMD  EMF  EMJ  EMK  EDD  EDE  EMG  EDG  EMH  EMI  EDF  EDH  RET  WDR  UNC  RDR
MATRIX = """
None                 ACC  -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -
accepted             -    TRN  TRN  TRN  TRN  TRN  TRN  TRN  TRN  ADO  OFD  -    -    -    -    RTNG WDR  -    ACC
in_transit           -    TRN  TRN  TRN  TRN  TRN  TRN  TRN  TRN  ADO  -    -    -    -    PICK RTNG -    -    TRN
at_delivery_office   -    TRN  TRN  TRN  TRN  TRN  TRN  TRN  TRN  ADO  OFD  -    DLV  HELD PICK RTNG -    -    ADO
out_for_delivery     -    -    -    -    -    -    -    -    -    -    -    FAIL DLV  HELD -    RTNG -    -    OFD
delivery_failed      -    TRN  TRN  TRN  TRN  TRN  TRN  TRN  TRN  ADO  OFD  FAIL DLV  HELD PICK RTNG -    UNC  FAIL
held                 -    TRN  TRN  TRN  TRN  TRN  TRN  TRN  TRN  ADO  OFD  -    DLV  -    PICK RTNG -    UNC  HELD
awaiting_pickup      -    TRN  TRN  TRN  TRN  TRN  TRN  TRN  TRN  -    -    -    DLV  -    -    RTNG -    UNC  PICK
delivered            -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -
returning            -    RTNG RTNG RTNG RTNG RTNG RTNG RTNG RTNG RTNG RTNG RTNG RTND RTNG RTNG -    -    UNC  -
returned             -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -
withdrawn            -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -
unclaimed            -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -    -
"""
# fmt: on


def _expected() -> dict[tuple[Status | None, Event], Status | None]:
    expected = {}
    for line in MATRIX.strip().splitlines():
        row, *cells = line.split()
        status = None if row == "None" else Status(row)
        assert len(cells) == len(COLUMNS), row
        for event, cell in zip(COLUMNS, cells, strict=True):
            expected[(status, event)] = None if cell == "-" else ABBR[cell]
    return expected


EXPECTED = _expected()


def test_matrix_covers_every_status_and_event():
    assert {s for s, _ in EXPECTED} == {None, *Status}
    assert set(COLUMNS) == set(Event)


@pytest.mark.parametrize(("status", "event"), list(EXPECTED), ids=[f"{s}-{e}" for s, e in EXPECTED])
def test_every_pair(status, event):
    want = EXPECTED[(status, event)]
    if want is None:
        with pytest.raises(TransitionRefused):
            transition(status, event)
    else:
        assert transition(status, event) == want


def test_table_has_nothing_the_matrix_does_not_list():
    allowed = {pair for pair, to in EXPECTED.items() if to is not None}
    assert set(TRANSITIONS) == allowed


def test_terminal_statuses_have_no_way_out():
    assert {s for s, _ in TRANSITIONS} & TERMINAL == set()


def test_every_status_is_reachable_and_every_open_status_can_end():
    graph: dict = {}
    for (src, _), dst in TRANSITIONS.items():
        graph.setdefault(src, set()).add(dst)
    seen, todo = set(), [None]
    while todo:
        node = todo.pop()
        for nxt in graph.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(Status)
    for status in set(Status) - TERMINAL:
        reach, todo = set(), [status]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in reach:
                    reach.add(nxt)
                    todo.append(nxt)
        assert reach & TERMINAL, status


def test_upu_mapping():
    assert set(UPU_CODES) == set(Event)
    codes = [c for e, c in UPU_CODES.items() if c and e != Event.REDIRECTED]
    assert len(codes) == len(set(codes)) == 15
    # EMSEVT has no redirection event: reported as EMH (with the forwarding action).
    assert UPU_CODES[Event.REDIRECTED] == "EMH"
    assert UPU_CODES[Event.DELIVERY_FAILED] == "EMH"
    assert UPU_CODES[Event.DELIVERED] == "EMI"
    assert UPU_CODES[Event.HELD] == "EDF"
    assert Event.ACCEPTED not in SCAN_EVENTS
    assert all(UPU_CODES[e] for e in SCAN_EVENTS)


def test_upu_code_configuration_overrides_the_default():
    assert upu_code(Event.REDIRECTED) == "EMH"
    assert upu_code("redirected", {"redirected": None}) is None
    assert upu_code("redirected", {"redirected": ""}) is None
    assert upu_code("return_started", {"redirected": "EMX"}) is None
    assert upu_code("delivered", {"redirected": "EMX"}) == "EMI"


T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@given(
    status=st.sampled_from([None, *Status]),
    event=st.sampled_from(list(Event)),
    seconds_before=st.integers(min_value=1, max_value=10**8),
)
def test_a_late_event_never_moves_the_status(status, event, seconds_before):
    assert next_status(status, T0, event, T0 - timedelta(seconds=seconds_before)) is None


@given(
    status=st.sampled_from([None, *Status]),
    event=st.sampled_from(list(Event)),
    seconds_after=st.integers(min_value=0, max_value=10**8),
)
def test_an_event_on_time_follows_the_table(status, event, seconds_after):
    occurred = T0 + timedelta(seconds=seconds_after)
    want = EXPECTED[(status, event)]
    if want is None:
        with pytest.raises(TransitionRefused):
            next_status(status, T0, event, occurred)
    else:
        assert next_status(status, T0, event, occurred) == want


def test_is_late_edges():
    assert is_late(T0, None) is False
    assert is_late(T0, T0) is False  # same instant: not older, so it may move the status
    assert is_late(T0 - timedelta(microseconds=1), T0) is True


# --- Numbering rules ---------------------------------------------------------------------------


def test_months_before_clamps_to_month_end():
    assert months_before(datetime(2026, 3, 31, 9, 30, tzinfo=UTC), 1) == datetime(
        2026, 2, 28, 9, 30, tzinfo=UTC
    )
    assert months_before(datetime(2024, 3, 31, tzinfo=UTC), 1) == datetime(2024, 2, 29, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 12) == datetime(2025, 1, 15, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 1) == datetime(2025, 12, 15, tzinfo=UTC)


def test_range_reusable_after_twelve_months_only():
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert range_reusable(None, now) is True
    assert range_reusable(datetime(2025, 6, 1, 12, 0, tzinfo=UTC), now) is True
    assert range_reusable(datetime(2025, 6, 1, 12, 0, 1, tzinfo=UTC), now) is False
    assert range_reusable(datetime(2025, 6, 1, 12, 0, tzinfo=UTC), now, months=24) is False


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31)),
    st.integers(min_value=0, max_value=48),
)
def test_months_before_is_never_later_and_at_most_a_month_per_month(moment, months):
    earlier = months_before(moment, months)
    assert earlier <= moment
    assert (moment.year * 12 + moment.month) - (earlier.year * 12 + earlier.month) == months
    assert timedelta(days=28 * months) <= moment - earlier <= timedelta(days=31 * months)


@given(*(st.integers(min_value=0, max_value=50) for _ in range(4)))
def test_ranges_overlap_matches_set_intersection(a, b, c, d):
    first_a, last_a = sorted((a, b))
    first_b, last_b = sorted((c, d))
    shared = set(range(first_a, last_a + 1)) & set(range(first_b, last_b + 1))
    assert ranges_overlap(first_a, last_a, first_b, last_b) is bool(shared)


@st.composite
def walks(draw):
    """A random valid history: (time, event) pairs following the table, times increasing."""
    status, moment, history, statuses = None, T0, [], []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        choices = sorted(e for (s, e) in TRANSITIONS if s == status)
        if not choices:
            break
        event = draw(st.sampled_from(choices))
        moment += timedelta(minutes=draw(st.integers(min_value=0, max_value=600)))
        status = transition(status, event)
        history.append((moment, event))
        statuses.append(status)
    return history, statuses


@given(walks())
def test_status_at_replays_a_history(walk):
    history, statuses = walk
    for (moment, _), status in zip(history, statuses, strict=True):
        # With ties, the last event at that instant decides.
        same_time = [s for (m, _), s in zip(history, statuses, strict=True) if m == moment]
        assert status_at(history, moment) == same_time[-1]
    assert status_at(history, history[0][0] - timedelta(seconds=1)) is None


def test_status_at_skips_what_does_not_fit():
    history = [
        (T0, Event.ACCEPTED),
        (T0 + timedelta(minutes=1), Event.DELIVERED),  # refused from accepted: skipped
        (T0 + timedelta(minutes=2), Event.SORTING_IN),
    ]
    assert status_at(history, T0 + timedelta(minutes=1)) == Status.ACCEPTED
    assert status_at(history, T0 + timedelta(minutes=5)) == Status.IN_TRANSIT


def test_mask_name_examples():
    assert mask_name("Trần Thị Bình") == "T*** T** B***"
    assert mask_name("  Đỗ   An ") == "Đ* A*"
    assert mask_name("") == ""


@given(st.text(alphabet=st.characters(categories=["L", "Zs"]), max_size=40))
def test_mask_name_reveals_only_first_letters(name):
    masked = mask_name(name)
    words = name.split()
    assert masked.split() == [w[0] + "*" * (len(w) - 1) for w in words]
    revealed = [ch for ch in masked if ch not in "* "]
    assert revealed == [w[0] for w in words]
