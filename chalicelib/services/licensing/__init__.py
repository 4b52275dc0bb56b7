"""Software licenses of desktop products (docs/licensing.md): a key per seat, activation on machines,
signed license files the program verifies offline."""
