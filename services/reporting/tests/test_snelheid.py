"""Rate limit per client on the statistics: 429 with Retry-After, counted per token subject."""

from __future__ import annotations

from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness

from .conftest import lezer_headers


async def test_statistics_are_rate_limited_per_client(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    async with reporting_harness.client(rate_limit="3/minute") as client:
        eerste, tweede = lezer_headers(issuer, sub="beleid-a"), lezer_headers(issuer, sub="beleid-b")
        paden = ["/v1/statistieken/dimensies", "/v1/statistieken/signalen", "/v1/statistieken/evaluatie"]
        for pad in paden:
            assert (await client.get(pad, headers=eerste)).status_code == 200
        te_veel = await client.get("/v1/statistieken/signalen", headers=eerste)
        assert te_veel.status_code == 429
        assert te_veel.headers["content-type"] == "application/problem+json"
        assert 1 <= int(te_veel.headers["Retry-After"]) <= 60
        # Another client has its own window; without a token it is still 401, not 429.
        assert (await client.get("/v1/statistieken/dimensies", headers=tweede)).status_code == 200
        assert (await client.get("/v1/statistieken/dimensies")).status_code == 401


def test_the_limit_is_documented(reporting_harness: ServiceHarness) -> None:
    document = reporting_harness.app().openapi()
    for pad in ("/statistieken/dimensies", "/statistieken/signalen", "/statistieken/evaluatie"):
        assert "429" in document["paths"][pad]["get"]["responses"]
    assert "429" not in document["paths"]["/gebeurtenissen"]["post"]["responses"]
