"""ISO 8601 durations for the retention settings: the shared parser (also used by the gateway)."""

from meldroute_common.duur import Duur, parse_duur

__all__ = ["Duur", "parse_duur"]
