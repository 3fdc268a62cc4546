"""Custody: the signed, hash-chained log of everything done to the evidence, its excerpts, and the
proof that history was not rewritten."""
