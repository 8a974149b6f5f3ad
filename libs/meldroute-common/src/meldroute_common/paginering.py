"""The paging parameters every list operation takes, named and bounded once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

#: Largest page anyone may ask for; above it is 400.
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

#: `pageSize`: items per page, 1 to 100.
PageSize = Annotated[
    int, Query(alias="pageSize", ge=1, le=MAX_PAGE_SIZE, description="Items per page, 1 to 100 (default 20).")
]
#: `cursor`: the opaque `volgende` of the previous page.
Cursor = Annotated[str | None, Query(max_length=512, description="`volgende` of the previous page.")]
