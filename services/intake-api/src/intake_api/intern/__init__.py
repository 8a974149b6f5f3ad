"""The internal API for the privacy gateway only (scope intake:intern): escalated cases and pseudonyms."""
