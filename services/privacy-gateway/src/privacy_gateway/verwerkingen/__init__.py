"""The verwerkingenlog: an append-only, hash-chained record of every processing of personal data."""
