"""Test-only writer of synthetic CNAB 240 return files (segments T and U), positions typed in from
FEBRABAN v08.3 and Santander's variant, independent of the production parser's field tables."""
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class SyntheticTitle:
    nosso_numero: str
    movement: str
    carteira: str
    document_number: str
    due_on: date | None
    amount_cents: int
    paid_cents: int
    fee_cents: int
    net_cents: int
    occurred_on: date | None
    credited_on: date | None


# (nosso número, carteira, document number, due date, value, tariff) as (start, end), 1-based.
FEBRABAN_T = ((38, 57), (58, 58), (59, 73), (74, 81), (82, 96), (199, 213))
SANTANDER_T = ((41, 53), (54, 54), (55, 69), (70, 77), (78, 92), (194, 208))


def write_cnab240_return(bank_code: str, titles: list[SyntheticTitle], *, generated_on: date,
                         right_trim: bool = False, line_end: str = "\r\n") -> str:
    t_positions = SANTANDER_T if bank_code == "033" else FEBRABAN_T
    lines = [_file_header(bank_code, generated_on), _lot_header(bank_code)]
    for index, title in enumerate(titles):
        lines.append(_segment_t(bank_code, 2 * index + 1, title, t_positions))
        lines.append(_segment_u(bank_code, 2 * index + 2, title))
    lines.append(_line(bank_code, "0001", "5", {(18, 23): f"{len(lines):06d}"}))
    lines.append(_line(bank_code, "9999", "9", {(18, 23): "000001", (24, 29): f"{len(lines) + 1:06d}"}))
    if right_trim:
        lines = [line.rstrip(" ") for line in lines]
    return "".join(line + line_end for line in lines)


def _line(bank_code: str, lot: str, record_type: str, fields: dict[tuple[int, int], str]) -> str:
    chars = [" "] * 240
    for (start, end), value in {(1, 3): bank_code, (4, 7): lot, (8, 8): record_type, **fields}.items():
        assert len(value) == end - start + 1, (start, end, value)
        chars[start - 1:end] = value
    return "".join(chars)


def _date(value: date | None) -> str:
    return value.strftime("%d%m%Y") if value else "00000000"


def _file_header(bank_code: str, generated_on: date) -> str:
    return _line(bank_code, "0000", "0", {(73, 102): "EMPRESA DE TESTE".ljust(30), (143, 143): "2",
                                          (144, 151): _date(generated_on), (164, 166): "083"})


def _lot_header(bank_code: str) -> str:
    return _line(bank_code, "0001", "1", {(9, 9): "T", (10, 11): "01", (14, 16): "042"})


def _segment_t(bank_code: str, sequence: int, title: SyntheticTitle, positions) -> str:
    nosso_numero, carteira, document_number, due_on, amount, fee = positions
    width = nosso_numero[1] - nosso_numero[0] + 1
    return _line(bank_code, "0001", "3", {
        (9, 13): f"{sequence:05d}", (14, 14): "T", (16, 17): title.movement,
        nosso_numero: title.nosso_numero.ljust(width), carteira: title.carteira,
        document_number: title.document_number.ljust(15), due_on: _date(title.due_on),
        amount: f"{title.amount_cents:015d}", fee: f"{title.fee_cents:015d}",
    })


def _segment_u(bank_code: str, sequence: int, title: SyntheticTitle) -> str:
    return _line(bank_code, "0001", "3", {
        (9, 13): f"{sequence:05d}", (14, 14): "U", (16, 17): title.movement,
        (78, 92): f"{title.paid_cents:015d}", (93, 107): f"{title.net_cents:015d}",
        (138, 145): _date(title.occurred_on), (146, 153): _date(title.credited_on),
    })
