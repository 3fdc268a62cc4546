"""The checks a package's verification runs (vault/packages/verify.py), one module per kind,
in the order they run: the archive and its layout, the signature, the manifests, the custody
log, the exhibits, the timestamps, and the history. Each takes a
:class:`~vault.packages.checks.reader.PackageReader` and adds its checks to the result."""
