"""The installed program's command line, ``evidence-vault`` (PyInstaller's entry point).

Also the parser worker: the vault starts this executable with ``--parser-worker`` to read
untrusted files in a process of their own (vault/parsers/pool.py)."""

import sys

if sys.argv[1:2] == ["--parser-worker"]:
    from vault.parsers.worker import main as worker

    worker()
    sys.exit(0)

from vault.cli.main import main

main()
