"""Evidence: importing files, what is read from them (metadata, MIME type, the items inside e-mails
and PDFs), items and cases, notes, tags, withdrawn copies, copies out and purge."""
