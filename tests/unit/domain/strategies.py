"""Hypothesis strategies shared by the domain property tests."""
from datetime import date

from hypothesis import strategies as st

from chalicelib.domain.enums import Periodicity

FIRST_DAY = date(2024, 1, 1)
LAST_DAY = date(2030, 12, 31)

# Plain random dates rarely hit 29 Feb or the 31st; mix those in on purpose.
_month_ends = st.builds(
    lambda year, month: date(year, month, 28) if month == 2 and year % 4 else
    date(year, month, {2: 29, 4: 30, 6: 30, 9: 30, 11: 30}.get(month, 31)),
    st.integers(2024, 2030), st.integers(1, 12))
dates = st.one_of(st.dates(FIRST_DAY, LAST_DAY), _month_ends,
                  st.sampled_from([date(2024, 2, 29), date(2028, 2, 29), date(2025, 12, 31)]))
periodicities = st.sampled_from(list(Periodicity))
prices = st.integers(min_value=1, max_value=5_000_000)  # up to R$ 50.000,00
