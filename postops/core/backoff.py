"""Exponential backoff for outboxes that retry a delivery (webhooks, notifications). Pure.

No Django import: tested with hypothesis by the apps that use it.
"""


def backoff_seconds(attempt: int, base: int = 60, cap: int = 6 * 3600) -> int:
    """Seconds to wait after failed attempt number ``attempt`` (1, 2, …): exponential,
    ``base × 2^(attempt − 1)``, never more than ``cap`` (1 min, 2, 4, … up to 6 h)."""
    if attempt < 1:
        return 0
    # Bounded exponent: 2**40 × base is already far above any cap.
    return min(cap, base * 2 ** min(attempt - 1, 40))
