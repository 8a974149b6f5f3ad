"""A partner's notification subscriptions, kept by intake (where the events arise)."""
