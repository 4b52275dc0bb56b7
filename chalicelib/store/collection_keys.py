"""How an account's item collection (pk = ACCOUNT#<id>) is split by sort key.

Live state — what screens and rules read now — has sort keys starting with an upper-case letter
(ACCOUNT, CARD, INVITE#, MEMBER#, OPENINV#, SUB#, USAGE). History — what only grows (invoices,
billed-period markers, payments) — has sort keys starting with `~`, which sorts after every letter
and digit. So one Query with `sk < "~"` reads the whole live state, however long the history is."""

HISTORY = "~"
