"""The parser workers: processes that parse hostile files away from the keys."""
