"""CNAB 240 (FEBRABAN v08.3) file structure, shared by return and remittance files: file header,
lots (lot header, detail segments in pairs, lot trailer), file trailer, and the trailers' counts."""
from dataclasses import dataclass

from chalicelib.adapters.bank_files.fields import Field, Record

WIDTH = 240

BANK = Field(1, 3, "código do banco")
LOT = Field(4, 7, "lote de serviço")
RECORD_TYPE = Field(8, 8, "tipo de registro")
SEQUENCE_IN_LOT = Field(9, 13, "número sequencial do registro no lote")
SEGMENT = Field(14, 14, "segmento")
MOVEMENT = Field(16, 17, "código de movimento")
FILE_KIND = Field(143, 143, "código remessa/retorno")  # G015: 1 remessa, 2 retorno
GENERATED_ON = Field(144, 151, "data de geração do arquivo")
LOT_RECORD_COUNT = Field(18, 23, "quantidade de registros do lote")
FILE_LOT_COUNT = Field(18, 23, "quantidade de lotes do arquivo")
FILE_RECORD_COUNT = Field(24, 29, "quantidade de registros do arquivo")

FILE_HEADER, LOT_HEADER, DETAIL, LOT_TRAILER, FILE_TRAILER = "0", "1", "3", "5", "9"
REMITTANCE, RETURN = "1", "2"


@dataclass(frozen=True)
class SegmentPairing:
    """Each title is a pair of segments (T+U on return, P+Q on remittance), maybe followed by optional ones."""

    first: str
    second: str
    optional: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Cnab240File:
    header: Record
    pairs: tuple[tuple[Record, Record], ...]


def read_structure(records: list[Record], pairing: SegmentPairing, *, check_lot_counts: bool = True) -> Cnab240File:
    """Checks the framing and counts of a CNAB 240 file and returns its segment pairs, in order."""
    walker = _Walker(records[0], pairing, check_lot_counts)
    for record in records[1:-1]:
        walker.visit(record)
    walker.finish(records[-1] if len(records) > 1 else None, len(records))
    return Cnab240File(records[0], tuple(walker.pairs))


class _Walker:
    def __init__(self, header: Record, pairing: SegmentPairing, check_lot_counts: bool):
        if header.raw(RECORD_TYPE) != FILE_HEADER:
            raise header.error("a primeira linha deve ser o header de arquivo (registro tipo 0)")
        self.header = header
        self.bank = header.digits(BANK)
        self.pairing = pairing
        self.check_lot_counts = check_lot_counts
        self.pairs: list[tuple[Record, Record]] = []
        self.lot_header: Record | None = None
        self.lot_size = 0
        self.lot_count = 0
        self.pending_first: Record | None = None
        self.optional_allowed = False

    def visit(self, record: Record) -> None:
        if record.raw(BANK) != self.bank:
            raise record.error(f"código do banco '{record.raw(BANK)}' difere do header ({self.bank})")
        record_type = record.raw(RECORD_TYPE)
        if record_type == LOT_HEADER:
            self._open_lot(record)
        elif record_type == DETAIL:
            self._detail(record)
        elif record_type == LOT_TRAILER:
            self._close_lot(record)
        elif record_type in (FILE_HEADER, FILE_TRAILER):
            raise record.error(f"registro tipo {record_type} fora de lugar: só pode ser a primeira/última linha")
        else:
            raise record.error(f"tipo de registro desconhecido: '{record_type}'")

    def finish(self, trailer: Record | None, total_records: int) -> None:
        if trailer is None or trailer.raw(RECORD_TYPE) != FILE_TRAILER:
            raise (trailer or self.header).error("o arquivo termina sem o trailer de arquivo (registro tipo 9)")
        if self.lot_header is not None:
            raise trailer.error(f"trailer de arquivo com o lote da linha {self.lot_header.number} ainda aberto")
        _check_count(trailer, FILE_LOT_COUNT, self.lot_count, "lotes")
        _check_count(trailer, FILE_RECORD_COUNT, total_records, "registros")

    def _open_lot(self, record: Record) -> None:
        if self.lot_header is not None:
            raise record.error(f"header de lote sem o trailer do lote da linha {self.lot_header.number}")
        self.lot_header, self.lot_size = record, 1
        self.lot_count += 1
        self.optional_allowed = False

    def _detail(self, record: Record) -> None:
        self._require_open_lot(record, "registro detalhe")
        self.lot_size += 1
        segment = record.raw(SEGMENT)
        if self.pending_first is not None:
            self._expect_second(record, segment)
        elif segment == self.pairing.first:
            self.pending_first = record
        elif segment == self.pairing.second:
            raise record.error(f"segmento {segment} sem o segmento {self.pairing.first} que o precede")
        elif not (segment in self.pairing.optional and self.optional_allowed):
            raise record.error(f"segmento '{segment}' inesperado")

    def _expect_second(self, record: Record, segment: str) -> None:
        if segment != self.pairing.second:
            raise record.error(
                f"esperado o segmento {self.pairing.second} após o segmento {self.pairing.first} "
                f"da linha {self.pending_first.number}; encontrado '{segment}'"
            )
        self.pairs.append((self.pending_first, record))
        self.pending_first = None
        self.optional_allowed = True

    def _close_lot(self, record: Record) -> None:
        self._require_open_lot(record, "trailer de lote")
        if self.pending_first is not None:
            raise record.error(
                f"lote encerrado sem o segmento {self.pairing.second} do segmento {self.pairing.first} "
                f"da linha {self.pending_first.number}"
            )
        self.lot_size += 1
        if self.check_lot_counts:
            _check_count(record, LOT_RECORD_COUNT, self.lot_size, "registros no lote")
        self.lot_header = None

    def _require_open_lot(self, record: Record, what: str) -> None:
        if self.lot_header is None:
            raise record.error(f"{what} fora de um lote (falta o header de lote)")
        if record.raw(LOT) != self.lot_header.raw(LOT):
            raise record.error(
                f"{what} do lote '{record.raw(LOT)}' dentro do lote '{self.lot_header.raw(LOT)}'"
            )


def _check_count(trailer: Record, field: Field, actual: int, what: str) -> None:
    stated = trailer.integer(field)
    if stated != actual:
        raise trailer.error(f"o trailer informa {stated} {what}, mas há {actual}")
