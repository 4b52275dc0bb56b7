"""Counts the DynamoDB requests the app makes (every botocore client, PynamoDB's included)."""
from contextlib import contextmanager
from unittest.mock import patch

from botocore.client import BaseClient


@contextmanager
def dynamodb_calls():
    """Yields a list that fills with (operation, response) for every DynamoDB request made inside."""
    calls = []
    original = BaseClient._make_api_call

    def counting(client, operation_name, params):
        response = original(client, operation_name, params)
        if client.meta.service_model.service_name == "dynamodb":
            calls.append((operation_name, response))
        return response

    with patch.object(BaseClient, "_make_api_call", counting):
        yield calls
