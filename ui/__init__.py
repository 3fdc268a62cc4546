"""The Qt desktop app (PySide6). Only ever calls the core in ``vault/``."""
