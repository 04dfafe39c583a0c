"""Speed and time left of a long stage."""

from hanrag.progress import StageClock, describe


def test_rate_and_time_left_per_stage() -> None:
    now = [0.0]
    clock = StageClock(clock=lambda: now[0], settle_s=1.0)
    assert clock.update("embedding", 0, 100) == (None, None)
    now[0] = 0.5
    assert clock.update("embedding", 10, 100) == (None, None)  # too early to tell
    now[0] = 2.0
    rate, left = clock.update("embedding", 40, 100)
    assert rate == 20.0 and left == 3.0
    assert describe(rate, left) == "20.0/s, 0:03 left"
    now[0] = 3.0
    assert clock.update("committing", 0, 1) == (None, None)  # a new stage starts over
    assert describe(2.0, 3725) == "2.0/s, 1:02:05 left" and describe(None, None) == ""
