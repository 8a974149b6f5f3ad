"""Development tooling above the services: the service registry, the `meldroute` command, the pytest harness
and the demo. It may import the services and pytest; `meldroute_common` below it imports neither."""
