"""The chronology: who knew what, and when (docs/chronology.md). The cast, facts with
uncertain dates, citations of the exact words on a hashed page, knowledge events and
responses, and the tables made from them."""
