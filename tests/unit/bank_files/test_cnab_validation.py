"""A malformed return file is refused whole, with the 1-based number of the offending line."""
import pytest

from chalicelib.adapters.bank_files import BankFileError, parse_return_file

from .conftest import replace_at

BB = "CNAB240.RET"  # 74 lines: header, lot header, 35 T+U pairs (lines 3-72), lot trailer, trailer
ITAU = "CNAB400ITAU.RET"  # 54 lines: header, 52 transactions, trailer
BRADESCO = "CNAB400BRADESCO.RET"  # 8 lines


def refused(path) -> BankFileError:
    with pytest.raises(BankFileError) as caught:
        parse_return_file(path.read_bytes())
    return caught.value


@pytest.mark.parametrize(
    ("name", "line", "position", "new", "message_part"),
    [
        (BB, 4, 80, "X", "valor pago"),  # segment U, 78-92
        (BB, 9, 85, "?", "valor do título"),  # segment T, 82-96
        (BB, 40, 140, "32", "data da ocorrência"),  # 32/12/2011
        (BB, 10, 148, "13", "data do crédito"),  # month 13
        (BB, 6, 8, "7", "tipo de registro desconhecido"),
        (BB, 21, 14, "Z", "segmento 'Z' inesperado"),  # a T replaced by an unknown segment
        (BB, 22, 14, "Z", "esperado o segmento U"),  # a U replaced by an unknown segment
        (BB, 24, 16, "06", "difere do segmento T"),  # U's movement no longer matches its T
        (BB, 11, 1, "341", "código do banco"),
        (ITAU, 10, 160, "A", "valor do título"),  # 153-165
        (ITAU, 20, 111, "310213", "data da ocorrência"),  # 31/02/13
        (ITAU, 30, 1, "5", "tipo de registro desconhecido"),
        (BRADESCO, 3, 260, " ", "valor pago"),  # 254-266
    ],
)
def test_corrupted_field_is_refused_with_its_line(corrupted_copy, name, line, position, new, message_part):
    path = corrupted_copy(name, line, lambda text: replace_at(text, position, new))

    error = refused(path)

    assert error.line == line
    assert message_part in error.message
    assert str(error).startswith(f"linha {line}: ")


@pytest.mark.parametrize(("name", "width"), [(BB, 240), (ITAU, 400)])
def test_line_wider_than_the_layout_is_refused(corrupted_copy, name, width):
    path = corrupted_copy(name, 12, lambda text: text.ljust(width) + "EXTRA")

    error = refused(path)

    assert error.line == 12
    assert f"{width + 5} caracteres" in error.message


def test_trailing_blanks_beyond_the_width_are_not_content(corrupted_copy):
    path = corrupted_copy(BB, 12, lambda text: text.ljust(250))

    assert len(parse_return_file(path.read_bytes()).records) == 35


def test_segment_u_without_its_t_is_refused(corrupted_copy):
    path = corrupted_copy(BB, 5, lambda text: None)  # drops the T of the second pair

    error = refused(path)

    assert error.line == 5  # the orphan U now sits on line 5
    assert "segmento U sem o segmento T" in error.message


def test_segment_t_without_its_u_before_the_lot_trailer_is_refused(corrupted_copy):
    path = corrupted_copy(BB, 72, lambda text: None)  # drops the last U; the lot trailer moves to 72

    error = refused(path)

    assert error.line == 72
    assert "sem o segmento U" in error.message


@pytest.mark.parametrize(
    ("line", "position", "new", "message_part"),
    [
        (74, 24, "000075", "75 registros"),  # file trailer: records in the file
        (74, 18, "000002", "2 lotes"),  # file trailer: lots in the file
        (73, 18, "000071", "71 registros no lote"),  # lot trailer
    ],
)
def test_cnab240_trailer_counts_must_match(corrupted_copy, line, position, new, message_part):
    path = corrupted_copy(BB, line, lambda text: replace_at(text, position, new))

    error = refused(path)

    assert error.line == line
    assert message_part in error.message


@pytest.mark.parametrize(
    ("line", "change", "error_line", "message_part"),
    [
        (2, lambda text: None, 2, "fora de um lote"),  # no lot header: the first T is outside a lot
        (3, lambda text: replace_at(text, 4, "0002"), 3, "do lote '0002' dentro do lote '0001'"),
        (73, lambda text: None, 73, "ainda aberto"),  # no lot trailer: the file trailer finds it open
        (5, lambda text: "00199999         000001000074", 5, "fora de lugar"),  # file trailer mid-file
        (5, lambda text: "00100011T0100020", 5, "header de lote sem o trailer"),  # a second lot header
    ],
)
def test_cnab240_lot_framing_is_checked(corrupted_copy, line, change, error_line, message_part):
    path = corrupted_copy(BB, line, change)

    error = refused(path)

    assert error.line == error_line
    assert message_part in error.message


def test_cnab400_without_trailer_is_refused(corrupted_copy):
    path = corrupted_copy(BRADESCO, 8, lambda text: None)

    error = refused(path)

    assert error.line == 7
    assert "trailer" in error.message


def test_cnab400_header_in_the_middle_is_refused(corrupted_copy):
    path = corrupted_copy(BRADESCO, 5, lambda text: replace_at(text, 1, "0"))

    error = refused(path)

    assert error.line == 5
    assert "fora de lugar" in error.message


def test_bradesco_rateio_and_qr_code_records_are_skipped(corrupted_copy):
    # Types 3 (rateio de crédito) and 4 (Pix QR code) follow a type 1 and carry no movement.
    path = corrupted_copy(BRADESCO, 3, lambda text: replace_at(text, 1, "4"))

    parsed = parse_return_file(path.read_bytes())

    assert [record.line for record in parsed.records] == [2, 4, 5, 6, 7]


def test_cnab240_without_file_trailer_is_refused(corrupted_copy):
    path = corrupted_copy(BB, 74, lambda text: None)

    error = refused(path)

    assert error.line == 73
    assert "trailer de arquivo" in error.message


def test_cnab400_sequence_breaks_where_a_line_is_missing(corrupted_copy):
    path = corrupted_copy(ITAU, 20, lambda text: None)

    error = refused(path)

    assert error.line == 20  # now holds the record numbered 000021
    assert "000021" in error.message


def test_itau_trailer_detail_count_must_match(corrupted_copy):
    path = corrupted_copy(ITAU, 54, lambda text: replace_at(text, 213, "00000051"))

    error = refused(path)

    assert error.line == 54
    assert "51 registros de transação" in error.message


def test_unsupported_cnab400_bank_is_refused(corrupted_copy):
    path = corrupted_copy(ITAU, 1, lambda text: replace_at(text, 77, "399"))

    error = refused(path)

    assert error.line == 1
    assert "399" in error.message


@pytest.mark.parametrize(
    ("content", "message_part"),
    [
        ("", "arquivo vazio"),
        ("\r\n\r\n", "arquivo vazio"),
        ("01REMESSA01COBRANCA", "remessa"),
        ("HELLO WORLD", "layout não reconhecido"),
    ],
)
def test_unreadable_first_line_is_refused_at_line_1(content, message_part):
    with pytest.raises(BankFileError) as caught:
        parse_return_file(content)

    assert caught.value.line == 1
    assert message_part in caught.value.message


def test_cnab240_remittance_is_not_a_return(corrupted_copy):
    path = corrupted_copy(BB, 1, lambda text: replace_at(text, 143, "1"))

    error = refused(path)

    assert error.line == 1
    assert "não é um arquivo de retorno" in error.message


def test_blank_line_inside_the_file_is_refused(corrupted_copy):
    path = corrupted_copy(BRADESCO, 4, lambda text: "")

    error = refused(path)

    assert error.line == 4
    assert "linha vazia" in error.message


def test_nothing_is_returned_when_only_the_last_record_is_broken(corrupted_copy):
    # All-or-nothing: 34 good pairs do not make it through when the 35th is broken.
    path = corrupted_copy(BB, 71, lambda text: replace_at(text, 82, "ABC"))

    error = refused(path)

    assert error.line == 71
