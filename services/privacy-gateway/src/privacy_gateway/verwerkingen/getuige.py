"""The witness: a copy of every signed checkpoint outside the database (``GATEWAY_CHECKPOINT_WITNESS``).

Two forms, chosen by the path:

- an existing **directory** (as a mounted volume is): one file per checkpoint,
  ``<volgnummer, 20 digits>.json``, created exclusively (``O_EXCL``) and never rewritten. Safe for
  several gateway replicas sharing one volume.
- otherwise a **file** in JSON Lines: one checkpoint per line, appended with ``O_APPEND`` in a single
  write and fsync'd. Meant for one writer; the file can be made append-only (``chattr +a``).

Each entry is the JSON of :meth:`Checkpoint.als_dict`. Checkpoints are written after the transaction
that created them committed, so the witness never holds a checkpoint the database rolled back; when the
gateway stops between commit and write, that one checkpoint is missing from the witness (reported by
verification as ``ontbrekend``, not as tampering).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from privacy_gateway.verwerkingen.checkpoints import Checkpoint

__all__ = ["Getuige", "GetuigeInhoud"]

log = logging.getLogger("meldroute.gateway.verwerkingen")

_MAX_REGEL_BYTES = 4096


@dataclass(frozen=True, slots=True)
class GetuigeInhoud:
    """What the witness holds: checkpoints by volgnummer, and entries that could not be read or disagree."""

    checkpoints: dict[int, Checkpoint] = field(default_factory=dict)
    onleesbaar: list[str] = field(default_factory=list)


class Getuige:
    """Appends checkpoints to, and reads them back from, the witness path."""

    def __init__(self, pad: Path) -> None:
        self.pad = pad
        self.is_map = pad.is_dir()

    def schrijf(self, checkpoints: Sequence[Checkpoint]) -> None:
        """Append ``checkpoints``; raises ``OSError`` when the witness cannot be written."""
        if self.is_map:
            self.pad.mkdir(parents=True, exist_ok=True)
            for checkpoint in checkpoints:
                self._schrijf_bestand(checkpoint)
            return
        self.pad.parent.mkdir(parents=True, exist_ok=True)
        regels = "".join(_regel(c) + "\n" for c in checkpoints).encode()
        fd = os.open(self.pad, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, regels)
            os.fsync(fd)
        finally:
            os.close(fd)

    def _schrijf_bestand(self, checkpoint: Checkpoint) -> None:
        pad = self.pad / f"{checkpoint.volgnummer:020d}.json"
        try:
            fd = os.open(pad, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        except FileExistsError:
            # Another replica wrote this position already; if it differs, verification reports it.
            log.warning("getuige heeft al een checkpoint bij rij %d", checkpoint.volgnummer)
            return
        try:
            os.write(fd, (_regel(checkpoint) + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def lees(self) -> GetuigeInhoud:
        """Every entry of the witness (an absent witness is empty)."""
        inhoud = GetuigeInhoud()
        if self.is_map:
            if not self.pad.is_dir():
                return inhoud
            for pad in sorted(self.pad.iterdir()):
                if pad.is_file():
                    self._neem_op(inhoud, pad.read_bytes()[: _MAX_REGEL_BYTES + 1], bron=pad.name)
            return inhoud
        if not self.pad.exists():
            return inhoud
        with self.pad.open("rb") as bestand:
            for nummer, regel in enumerate(bestand, start=1):
                if regel.strip():
                    self._neem_op(inhoud, regel, bron=f"regel {nummer}")
        return inhoud

    @staticmethod
    def _neem_op(inhoud: GetuigeInhoud, regel: bytes, *, bron: str) -> None:
        try:
            if len(regel) > _MAX_REGEL_BYTES:
                raise ValueError("te lang")
            waarde = json.loads(regel)
            if not isinstance(waarde, dict):
                raise ValueError("geen object")
            checkpoint = Checkpoint.uit_dict(waarde)
        except (ValueError, UnicodeDecodeError) as fout:
            inhoud.onleesbaar.append(f"{bron}: {fout}")
            return
        eerder = inhoud.checkpoints.get(checkpoint.volgnummer)
        if eerder is not None and eerder != checkpoint:
            inhoud.onleesbaar.append(f"{bron}: tweede, afwijkend checkpoint bij rij {checkpoint.volgnummer}")
            return
        inhoud.checkpoints[checkpoint.volgnummer] = checkpoint


def _regel(checkpoint: Checkpoint) -> str:
    return json.dumps(checkpoint.als_dict(), sort_keys=True, separators=(",", ":"))
