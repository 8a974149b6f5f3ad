"""The privacy gateway: the only way partners read cases, under the covenant policy.

Each domain package has a thin ``router`` (parse the input, call the service, return) over a
``service`` that does the work: ``casussen`` (the cases of a partner, one case, an evaluation),
``identiteit`` (identity with four eyes, and its retention), ``inzage`` (access requests) and
``verwerkingen`` (reading and verifying the log). Every domain writes to the verwerkingenlog through
its one front door, :mod:`privacy_gateway.verwerkingen.vastlegging`, and depends on ``verwerkingen``,
``referenties``, ``beleid`` and :mod:`privacy_gateway.context` below it, never on another domain.
"""

__version__ = "0.1.0"
