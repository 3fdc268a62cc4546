"""PyMuPDF: the SWIG module loads libmupdf and libmupdfcpp from its own folder at run time,
and the C extension ``_extra``; none of them is an import PyInstaller can follow. The
headers and sources under ``mupdf-devel`` are for building against it: left out."""

from PyInstaller.utils.hooks import collect_dynamic_libs, collect_submodules

hiddenimports = [m for m in collect_submodules("pymupdf") if "mupdf-devel" not in m]
binaries = collect_dynamic_libs("pymupdf")
