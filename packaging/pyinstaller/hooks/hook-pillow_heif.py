"""pillow-heif: the extension ``_pillow_heif`` and the libheif, libde265 and x265 it bundles
(in ``pillow_heif.libs``). The self-test checks their versions (vault/evidence/heif.py)."""

from PyInstaller.utils.hooks import collect_dynamic_libs

hiddenimports = ["_pillow_heif"]
binaries = collect_dynamic_libs("pillow_heif")
