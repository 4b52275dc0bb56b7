"""The portal's JavaScript stays within its budget: 150 KB gzip for everything a first visit loads."""
import gzip

BUDGET_BYTES = 150 * 1024


def test_the_portal_javascript_fits_the_gzip_budget(portal_dist):
    scripts = sorted((portal_dist / "assets").glob("*.js"))
    assert scripts, "portal/dist/assets has no JavaScript"
    sizes = {path.name: len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in scripts}
    assert sum(sizes.values()) <= BUDGET_BYTES, sizes
