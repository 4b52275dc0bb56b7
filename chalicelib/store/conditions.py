"""Telling a failed condition (someone else got there first) from any other write error."""
from pynamodb.exceptions import TransactWriteError


def condition_failed(error: TransactWriteError) -> bool:
    reasons = error.cancellation_reasons or []
    return any(reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons)
