"""The one error the billing rules raise: a request the rules cannot honour. Messages are pt-BR
because the API layer may show them as they are (map DomainError to 422)."""


class DomainError(ValueError):
    """A value outside what the billing rules accept (e.g. a due day other than 8, 15 or 22)."""
