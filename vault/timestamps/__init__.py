"""Trusted timestamps: the RFC 3161 protocol, the Time-Stamp Authorities and the offline-first
queue."""
