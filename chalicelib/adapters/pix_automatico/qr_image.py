"""The recurrence's QR Code as an image link the portal can show as is: an SVG data URL (segno)."""


def qr_data_url(payload: str) -> str:
    import segno  # loaded only when a QR is drawn

    return segno.make_qr(payload, error="m").svg_data_uri(scale=4, border=2)
