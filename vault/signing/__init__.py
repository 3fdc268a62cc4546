"""Who signs: the investigator's package-signing certificate, an organisation's root, the signers a
recipient confirmed, and CMS signatures."""
