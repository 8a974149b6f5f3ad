"""The covenant policy as the gateway publishes it (the format and engine are in `meldroute_common.beleid`)."""
