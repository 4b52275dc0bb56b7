"""Steps and helpers the test folders share (api, services, integration, faults, fuzz, security, bench)."""
