"""Documents: PyMuPDF behind one interface for reading, annotating, deriving annotated and redacted
copies, and thumbnails."""
