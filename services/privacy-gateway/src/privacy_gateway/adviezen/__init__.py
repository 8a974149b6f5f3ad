"""Advice questions to expert partners: read through the gateway, answered through it, each step logged."""
