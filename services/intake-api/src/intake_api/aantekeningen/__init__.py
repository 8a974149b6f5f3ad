"""Work notes on a signal and on its tracks, by the attention officer and by partners through the gateway."""
