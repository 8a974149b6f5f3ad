"""The verwerkingenlog: an append-only, hash-chained record of every processing of personal data.

Domains record through one front door, :mod:`.vastlegging` (``record``, ``deny``, ``record_rows``),
which also states the deny-and-log rule; behind it sit the denial log budget (:mod:`.weigeringen`),
the keyed chain (:mod:`.keten`, :mod:`.service`), its checkpoints and the witness.
"""
