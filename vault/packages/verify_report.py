"""A verification report as a standalone HTML page, for the case file."""

from __future__ import annotations

import html

from vault.packages.verification import Verification


def html_report(name: str, r: Verification) -> str:
    e = html.escape
    colour = "#0a7a2f" if r.verified else "#b00020"
    rows = "".join(f"<tr><td>{'ok' if c.ok else 'FAIL'}</td><td>{e(c.name)}</td>"
                   f"<td>{e(c.detail)}</td></tr>" for c in r.checks)
    exhibits = "".join(f"<tr><td>{e(str(x.get('ref')))}</td><td>{e(str(x.get('name')))}</td>"
                       f"<td><code>{e(str(x.get('sha256')))}</code></td></tr>"
                       for x in r.exhibits)
    history = "" if r.history is None else (
        f"<h2>History</h2><p>{'Extends' if r.history.ok else 'Does NOT extend'} the earlier "
        f"package: {e(r.history.message)}</p>")
    times = "".join(f"<li>{e(t.describe())}</li>" for t in r.timestamps) or \
        "<li>No trusted timestamps: the times are those of the exporting computer.</li>"
    warnings = "" if not r.warnings else "<h2>Warnings</h2><ul>" + "".join(
        f"<li>{e(w)}</li>" for w in r.warnings) + "</ul>"
    return f"""<!doctype html><html lang="en"><meta charset="utf-8">
<title>Verification of {e(name)}</title>
<h1 style="color:{colour}">{e(r.headline())}</h1>
<p>Package <b>{e(name)}</b>, id {e(r.package_id)}, case {e(r.case)}.<br>
Signer certificate SHA-256: <code>{e(r.signer_fingerprint)}</code><br>
Custody key: <code>{e(r.custody_fingerprint)}</code></p>
<h2>Checks</h2><table border="1" cellpadding="4">{rows}</table>
<h2>Exhibits</h2><table border="1" cellpadding="4">{exhibits}</table>
<h2>Trusted timestamps</h2><ul>{times}</ul>
{warnings}{history}
</html>
"""
