"""The transactional outbox: anonymous events written with the change, relayed to reporting."""
