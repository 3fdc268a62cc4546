"""The court bundle (docs/court-bundle.md): producing witnesses, exhibit marks, witness
statements, and the documents made from them for court (labels, cover sheets, page-stamped
copies, continuity records, statements' lists)."""
