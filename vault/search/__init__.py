"""Search: the full-text index, the text it is fed (plain text, office documents, OCR) and the
query layer."""
