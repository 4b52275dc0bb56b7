"""PDF documents. reportlab and segno load only when a PDF is rendered, never on import."""
from chalicelib.adapters.pdf.boleto_data import BoletoPdfData, Party


def render_boleto_pdf(data: BoletoPdfData) -> bytes:
    """One A4 page: recibo do pagador above, ficha de compensação below (with the Pix QR code
    when ``data.pix_payload`` is given); returns the PDF's bytes."""
    from chalicelib.adapters.pdf.boleto_pdf import render

    return render(data)


__all__ = ["BoletoPdfData", "Party", "render_boleto_pdf"]
