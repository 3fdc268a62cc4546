"""A witness statement's lists (docs/court-bundle.md): the exhibits it produces (its exhibit
list, in mark order), and the documents the witness referred to or was shown."""

from __future__ import annotations

from vault.chronology.reports import Table
from vault.court.model import PRODUCED, Statement
from vault.court.store import statement, statement_documents
from vault.store.vault import Vault

EXHIBIT_LIST, REFERRED_LIST = "statement exhibit list", "documents referred to"


def exhibit_list(v: Vault, case: str, name: str) -> tuple[Statement, Table]:
    st = statement(v, case, name)
    rows = [[d.mark or "", d.description, d.item, d.sha256]
            for d in statement_documents(v, case, name) if d.how == PRODUCED]
    t = Table(title=f"Exhibits produced in {st.shown()}",
              header=["Exhibit", "Description", "Vault item", "SHA-256"], rows=rows,
              widths=[2.0, 8.0, 2.0, 9.0])
    t.subtitle = (f"Case {case}, Evidence Vault {v.vault_id}; statement "
                  f"{st.name}{': ' + st.title if st.title else ''}. "
                  f"{len(rows)} exhibit{'s' if len(rows) != 1 else ''}.")
    return st, t


def referred_list(v: Vault, case: str, name: str) -> tuple[Statement, Table]:
    st = statement(v, case, name)
    rows = [[d.how, d.mark or "(not an exhibit)", d.description, d.item, d.sha256, d.note]
            for d in statement_documents(v, case, name) if d.how != PRODUCED]
    t = Table(title=f"Documents referred to in {st.shown()}",
              header=["Referred to or shown", "Exhibit", "Document", "Vault item", "SHA-256",
                      "Note"], rows=rows, widths=[2.5, 2.0, 6.0, 2.0, 8.0, 3.5])
    t.subtitle = (f"Case {case}, Evidence Vault {v.vault_id}; statement {st.name}. "
                  f"{len(rows)} document{'s' if len(rows) != 1 else ''}.")
    return st, t
