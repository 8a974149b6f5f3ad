"""Advice before escalation: the attention officer asks expert partners; they answer through the gateway."""
