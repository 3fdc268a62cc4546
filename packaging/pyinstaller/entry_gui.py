"""The installed program's desktop app, ``evidence-vault-gui`` (PyInstaller's entry point)."""

import sys

from ui.app import main

sys.exit(main())
