"""The access matrix (tests/test_access_matrix.py): its vocabulary and its tables, by area."""
