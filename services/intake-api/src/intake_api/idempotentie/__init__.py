"""Idempotency keys of POST /v1/signalen: a retried request gets the first answer again."""
