"""``HOW-TO-VERIFY.txt``: plain steps for a solicitor, with our program or standard tools.

Every command is printed ready to paste (no placeholders but the package's own name, no line
joined to the next by accident); tests run them all with the real ``openssl`` and
``sha256sum``, on a genuine package and on forgeries (tests/test_howto_by_hand.py).
"""

from __future__ import annotations

from vault.packages.format import (
    MANIFEST,
    SIGNATURE,
    SIGNATURE_TOKEN,
    SIGNATURE_TOKEN_CERTS,
    SIGNER_CERT,
    TAGMANIFEST,
)

SIGNER_OUT = "signer-that-signed.pem"  # written by step b, read by step c


def how_to_verify(top: str, fingerprint: str, head_tokens: list[str] | None = None) -> str:
    """The text; ``head_tokens``: the package's custody-head timestamp tokens (paths below
    the top folder), each with its head record and chain beside it."""
    spoken = " ".join(fingerprint.replace(":", "")[i:i + 4]
                      for i in range(0, len(fingerprint.replace(":", "")), 4))
    head_commands = "".join(
        f"""     openssl ts -verify -data {record} \\
       -in {token} -CAfile TSA-ROOT.pem \\
       -untrusted {token}.crt
"""
        for token in head_tokens or []
        for record in [token.split(".", 1)[0] + ".json"])
    if not head_commands:
        head_commands = "     (this package carries no timestamp of its custody log)\n"
    return f"""HOW TO VERIFY THIS EVIDENCE PACKAGE
===================================

This package holds exhibits, their chain of custody and a signed exhibit list
(data/report/exhibit-list.pdf). It is a BagIt bag (RFC 8493) in a zip file.

Who signed it: anyone can make a certificate with any name in it, so a name proves
nothing. Only the fingerprint of the certificate that made the signature does. The
sender's signing certificate has this SHA-256 fingerprint:

    {fingerprint}
    (to read aloud in groups of four: {spoken})

Confirm it with the investigator by phone, in person or by letter: never by the
route this package came (whoever could change the package could change this file).
If the fingerprint you confirmed differs from the one the checks below print, do not
rely on this package, whatever else they say.

1. With Evidence Vault (any system)
-----------------------------------
    evidence-vault verify PACKAGE.zip

It says VERIFIED only when the package is intact AND its signer is one you have
confirmed; "INTACT, SIGNER NOT CONFIRMED" when nothing was changed but you have not yet
confirmed who signed; NOT VERIFIED with the reason otherwise. After comparing the
fingerprint with the sender, confirm the signer once:
    evidence-vault signers confirm PACKAGE.zip --how "read out by phone on ..."
or give it for one check: evidence-vault verify PACKAGE.zip --signer "{fingerprint}"

2. With standard tools only (Linux or macOS; Windows: see the end)
-----------------------------------------------------------------
Unzip the package. Run every command in the folder {top}/ . Each must print what is
said; if one does not, stop: the package is not verified.

a) The certificate file holds exactly one certificate (it must print 1):
     grep -c "BEGIN CERTIFICATE" {SIGNER_CERT}

b) The signature over the tag manifest verifies, and writes out the certificate that
   actually made it (it must print "CMS Verification successful"; OpenSSL may also warn
   that the certificate is "not a CA cert" or "self-signed": that is expected, the
   fingerprint in step c is what identifies the signer). If the sender's organisation
   gave you its root certificate (root.pem, from the organisation, not from this
   package), use -CAfile root.pem instead: that checks that the root issued it.
     openssl cms -verify -binary -content {TAGMANIFEST} \\
       -in {SIGNATURE} -inform PEM -purpose any \\
       -CAfile {SIGNER_CERT} -signer {SIGNER_OUT} -out /dev/null

c) The fingerprint of the certificate that made the signature (it must print the
   fingerprint you confirmed with the sender, and the same as {SIGNER_CERT}):
     openssl x509 -in {SIGNER_OUT} -noout -fingerprint -sha256
     openssl x509 -in {SIGNER_CERT} -noout -fingerprint -sha256

d) The tag files match the signed tag manifest, and every exhibit and record matches
   the manifest (each line must end in OK, and nothing else may be printed):
     sha256sum --strict -c {TAGMANIFEST} && sha256sum --strict -c {MANIFEST}
   On macOS: shasum -a 256 --strict -c ... for both files.

e) Nothing was added: every file under data/ is listed in the manifest (it must print
   nothing), and their number is the second number of Payload-Oxum in bag-info.txt:
     find data -type f | sort > present.txt; cut -c67- {MANIFEST} | sort | diff - present.txt
     find data -type f | wc -l; grep Payload-Oxum bag-info.txt

f) Trusted time (only if the package carries timestamps). A Time-Stamp Authority (TSA)
   may have stamped the signature ({SIGNATURE_TOKEN}) and the custody
   log's head (data/custody/timestamps/). Get the TSA's root certificate (save it as
   TSA-ROOT.pem) from the TSA's own website, not from this package. Each command must
   print "Verification: OK"; "openssl ts -reply -text -in FILE.tsr" shows the time.
   The signature (if {SIGNATURE_TOKEN} exists):
     openssl ts -verify -data {SIGNATURE} \\
       -in {SIGNATURE_TOKEN} -CAfile TSA-ROOT.pem \\
       -untrusted {SIGNATURE_TOKEN_CERTS}
   The custody log's head:
{head_commands}   With Evidence Vault: evidence-vault verify PACKAGE.zip --tsa-ca TSA-ROOT.pem

On Windows (PowerShell), for each line "HASH  PATH" of both manifests:
    (Get-FileHash -Algorithm SHA256 PATH).Hash   # must equal HASH (case does not matter)
and use OpenSSL for Windows for steps b, c and f.

The exhibit list (data/report/exhibit-list.pdf) is signed with the same certificate; a
PDF reader shows the signature (it will say the issuer is not trusted: compare the
certificate's fingerprint instead).

The custody history (data/custody/custody-log.jsonl) is a chain of Ed25519-signed events
specified in the package format; Evidence Vault checks it in step 1.
"""
