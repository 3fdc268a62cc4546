"""Evidence Vault core: storage, crypto, custody log and import. Never imports Qt."""

__version__ = "0.1.0"
PROGRAM = f"evidence-vault {__version__}"
