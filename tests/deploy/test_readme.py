"""The README's configuration table names every setting the services read."""

from __future__ import annotations

import re
from pathlib import Path

from meldroute_dev.services import ALLE_DIENSTEN


def test_every_setting_is_in_the_readme(settings_names: dict[str, frozenset[str]], repo: Path) -> None:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", readme))
    generic = {m.removeprefix("<PREFIX>_") for m in re.findall(r"`(<PREFIX>_[A-Z0-9_]+)`", readme)}
    prefixes = {d.env_prefix for d in ALLE_DIENSTEN}
    missing = set()
    for names in settings_names.values():
        for name in names:
            prefix = next((p for p in prefixes if name.startswith(p)), None)
            if name in documented or (prefix and name.removeprefix(prefix) in generic):
                continue
            missing.add(name)
    assert not missing, f"settings missing from the README's configuration table: {sorted(missing)}"
