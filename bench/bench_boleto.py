"""How fast boletos are made: linhas digitáveis built per second and PDFs rendered per second.

Run: .venv/bin/python bench/bench_boleto.py [--seconds N]
"""
import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chalicelib.adapters.pdf import BoletoPdfData, Party, render_boleto_pdf  # noqa: E402
from chalicelib.domain.boleto import build_boleto  # noqa: E402
from chalicelib.domain.pix import build_static_pix  # noqa: E402

BANKS = (
    dict(bank="001", agency="1606", account="06809350", wallet="17", agreement="1234567"),
    dict(bank="033", agreement="0282033", wallet="101"),
    dict(bank="104", agreement="005507"),
    dict(bank="237", agency="0031", account="0095279", wallet="09"),
    dict(bank="341", agency="0057", account="12345", wallet="109"),
)


def boleto(n: int):
    return build_boleto(**BANKS[n % len(BANKS)], nosso_numero=str(n), due_date=date(2026, 1, 1) + timedelta(days=n % 3000),
                        amount_cents=100 + n)


def rate(work, seconds: float) -> float:
    """Calls of work(n) per second over about ``seconds``."""
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        work(count)
        count += 1
    return count / elapsed


def pdf(n: int) -> bytes:
    b = boleto(n)
    pix = build_static_pix("11222333000181", "Promob Software Ltda", "Caxias do Sul", b.amount_cents, f"FAT{n}")
    return render_boleto_pdf(BoletoPdfData(
        bank_name=b.bank_name, printed_bank_code=b.printed_bank_code, barcode=b.barcode,
        formatted_line=b.formatted_line, nosso_numero=b.nosso_numero, beneficiary_code=b.beneficiary_code,
        wallet=b.wallet, due_date=b.due_date, amount_cents=b.amount_cents,
        beneficiary=Party("Promob Software Ltda", "11.222.333/0001-81", ("Rua Sinimbu, 1000", "Caxias do Sul/RS")),
        payer=Party("Marcenaria São João Ltda", "98.765.432/0001-10", ("Av. Brasil, 500", "Curitiba/PR")),
        document_number=f"FAT-{n}", document_date=date(2026, 1, 1), processing_date=date(2026, 1, 1),
        instructions=("Após o vencimento, multa de 2% e juros de 1% ao mês.",), pix_payload=pix,
    ))


def measure(seconds: float = 3.0) -> dict:
    pdf(0)  # warm-up: loads reportlab and its fonts
    return {"lines_per_second": round(rate(boleto, seconds)), "pdfs_per_second": round(rate(pdf, seconds), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0, help="time spent on each measurement")
    args = parser.parse_args()
    result = measure(args.seconds)
    print(f"linhas digitáveis built per second: {result['lines_per_second']:,}")
    print(f"PDFs rendered per second (with Pix QR): {result['pdfs_per_second']:,}")


if __name__ == "__main__":
    main()
