"""Evidence packages: the format, export, verification (which never imports PyMuPDF, Qt or
SQLCipher), receiving, reports, how-to, age encryption and safe zip reading."""
