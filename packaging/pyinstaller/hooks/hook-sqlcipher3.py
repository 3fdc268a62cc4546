"""sqlcipher3: its extension module carries SQLCipher 4 statically; the pure-Python part
imports it by a relative name PyInstaller cannot see."""

from PyInstaller.utils.hooks import collect_dynamic_libs, collect_submodules

hiddenimports = collect_submodules("sqlcipher3")
binaries = collect_dynamic_libs("sqlcipher3")
