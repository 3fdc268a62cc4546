"""The installation itself: its self-test (is every part this program needs here and working?)."""
