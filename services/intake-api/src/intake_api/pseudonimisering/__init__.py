"""Pseudonymisation at the door: what intake keeps instead of who someone is.

- `bsn`: the BSN 11-test and normalisation;
- `pseudoniem`: the link pseudonym (HMAC under the link key) per betrokkene;
- `tekst`: identifiers in free text replaced by placeholders.

The coarse attributes kept instead (age band, nationality group) come from `meldroute_common.catalogus`,
whose codes reporting uses too.
"""
