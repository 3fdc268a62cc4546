"""The command line, ``evidence-vault``: one module per command group, all registered on the group
in :mod:`vault.cli.base`."""
