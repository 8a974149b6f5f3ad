"""Requests of partners for a follow-on purpose on a case, checked against the policy, forwarded and logged."""
