"""The store: the vault folder, its header and key slots, the encrypted objects, the SQLCipher
index, atomic writes, backups, anchors and key changes, and the ``Vault`` itself."""
