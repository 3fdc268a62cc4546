"""``HOW-TO-VERIFY.txt``: plain steps for a solicitor, with our program or standard tools."""

from __future__ import annotations


def how_to_verify(top: str, fingerprint: str) -> str:
    return f"""HOW TO VERIFY THIS EVIDENCE PACKAGE
===================================

This package holds exhibits, their chain of custody and a signed exhibit list
(data/report/exhibit-list.pdf). It is a BagIt bag (RFC 8493) in a zip file.

The investigator's signing certificate has this SHA-256 fingerprint:

    {fingerprint}

Compare it with the fingerprint the investigator gave you by phone or letter, not by
the same route as this package. If they differ, do not rely on this package.

1. With Evidence Vault (any system)
-----------------------------------
    evidence-vault verify PACKAGE.zip --signer "{fingerprint}"

It prints VERIFIED or NOT VERIFIED with the reason, then every check. It checks every
exhibit's hash, that nothing was added, removed or changed, the signature, and each
exhibit's signed custody history back to its receipt.

2. With standard tools only
---------------------------
Unzip the package. In the folder {top}/ :

a) Check the signer's certificate fingerprint (compare with the one above):
     openssl x509 -in signatures/signer-certificate.pem -noout -fingerprint -sha256

b) Check the signature over the tag manifest (it must say "Verification successful"):
     openssl cms -verify -binary -content tagmanifest-sha256.txt \\
       -in signatures/tagmanifest-sha256.txt.p7s -inform PEM -purpose any \\
       -CAfile signatures/signer-certificate.pem -out /dev/null

c) Check the tag files against the signed tag manifest, and every exhibit and record
   against the manifest:
     Linux:    sha256sum -c tagmanifest-sha256.txt && sha256sum -c manifest-sha256.txt
     macOS:    shasum -a 256 -c tagmanifest-sha256.txt && shasum -a 256 -c manifest-sha256.txt
     Windows (PowerShell), for each line "HASH  PATH" of both manifests:
       (Get-FileHash -Algorithm SHA256 PATH).Hash   # must equal HASH (case does not matter)

d) Check that nothing was added: every file under data/ must be listed in
   manifest-sha256.txt, and the count must match the second number of Payload-Oxum in
   bag-info.txt.

e) Trusted time (only if the package carries timestamps). A Time-Stamp Authority (TSA)
   may have stamped the signature (signatures/tagmanifest-sha256.txt.p7s.tsr) and the
   custody log's head (data/custody/timestamps/head-N.json and head-N.TSA.tsr). Get the
   TSA's root certificate (TSA-ROOT.pem) from the TSA's own website, not from this package.
   Each command must say "Verification: OK"; "openssl ts -reply -text -in FILE.tsr" shows
   the time:
     openssl ts -verify -data signatures/tagmanifest-sha256.txt.p7s \
       -in signatures/tagmanifest-sha256.txt.p7s.tsr -CAfile TSA-ROOT.pem \
       -untrusted signatures/tagmanifest-sha256.txt.p7s.tsr.crt
     openssl ts -verify -data data/custody/timestamps/head-N.json \
       -in data/custody/timestamps/head-N.TSA.tsr -CAfile TSA-ROOT.pem \
       -untrusted data/custody/timestamps/head-N.TSA.tsr.crt
   With Evidence Vault: evidence-vault verify PACKAGE.zip --tsa-ca TSA-ROOT.pem

The exhibit list (data/report/exhibit-list.pdf) is signed with the same certificate; a
PDF reader shows the signature (the certificate is self-signed, so the reader will say its
issuer is not trusted: compare its fingerprint instead).

The custody history (data/custody/custody-log.jsonl) is a chain of Ed25519-signed events
specified in the package format; Evidence Vault checks it in step 1.
"""
