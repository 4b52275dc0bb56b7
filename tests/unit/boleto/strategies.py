"""Hypothesis strategies: valid build_boleto inputs for every supported bank and layout."""
from datetime import date

from hypothesis import strategies as st

from chalicelib.domain.banks import itau


def digits(length: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=length, max_size=length)


def _bb() -> st.SearchStrategy[dict]:
    def short(convenio_length: int, sequence_length: int):
        return st.fixed_dictionaries(dict(
            bank=st.just("001"), agency=digits(4), account=digits(8), wallet=st.sampled_from(["11", "17", "18", "31"]),
            agreement=digits(convenio_length), nosso_numero=digits(sequence_length),
        ))

    free = st.fixed_dictionaries(dict(
        bank=st.just("001"), agency=digits(4), account=digits(8), wallet=st.sampled_from(["16", "18"]),
        agreement=digits(6), nosso_numero=digits(17),
    ))
    long = st.sampled_from([7, 8]).flatmap(lambda n: st.fixed_dictionaries(dict(
        bank=st.just("001"), wallet=st.sampled_from(["17", "18"]), agreement=digits(n), nosso_numero=digits(17 - n),
    )))
    return st.one_of(short(4, 7), short(6, 5), free, long)


def _itau() -> st.SearchStrategy[dict]:
    usual = st.sampled_from(["109", "110", "112", "121", "175", "180", *sorted(itau.DAC_WITHOUT_AGENCY_WALLETS)])
    return st.one_of(
        st.fixed_dictionaries(dict(
            bank=st.just("341"), agency=digits(4), account=digits(5), wallet=usual, nosso_numero=digits(8),
        )),
        st.fixed_dictionaries(dict(
            bank=st.just("341"), agency=digits(4), account=digits(5),
            wallet=st.sampled_from(sorted(itau.FIFTEEN_POSITION_WALLETS)), agreement=digits(5), nosso_numero=digits(15),
        )),
    )


def _bradesco() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(dict(
        bank=st.just("237"), agency=digits(4), account=digits(7), wallet=st.sampled_from(["02", "06", "09", "19", "26"]),
        nosso_numero=digits(11),
    ))


def _caixa() -> st.SearchStrategy[dict]:
    code = st.one_of(st.integers(1, 999_999), st.integers(1_100_000, 9_999_999)).map(str)
    return st.fixed_dictionaries(dict(
        bank=st.just("104"), agency=digits(4), agreement=code,
        nosso_numero=st.one_of(digits(15), digits(15).map(lambda free: "14" + free)),
    ))


def _santander() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(dict(
        bank=st.just("033"), agency=digits(4), agreement=digits(7), wallet=st.sampled_from(["101", "102", "104"]),
        nosso_numero=digits(12),
    ))


bank_inputs = st.one_of(_bb(), _itau(), _bradesco(), _caixa(), _santander())
amounts = st.integers(min_value=1, max_value=99_999_999_99)  # R$ 0,01 .. R$ 99.999.999,99
due_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2049, 12, 31))
# Today's offset from the due date that keeps the due date in the reading window.
window_offsets = st.integers(min_value=-5500, max_value=3000)
