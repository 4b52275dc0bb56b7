"""The work queue (SQS, setting WORK_QUEUE): planners send one message per unit of work, the worker
Lambda (chalicelib/jobs/work_queue.py) handles each. Messages are JSON objects with a `kind`."""
import json

BATCH = 10  # SendMessageBatch takes at most ten messages


class WorkQueue:
    def __init__(self, sqs_client, queue_name: str):
        self._sqs = sqs_client
        self._name = queue_name
        self._url = None

    def send(self, messages: list[dict]) -> int:
        url = self._queue_url()
        for start in range(0, len(messages), BATCH):
            batch = messages[start:start + BATCH]
            response = self._sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(index), "MessageBody": json.dumps(message, separators=(",", ":"))}
                for index, message in enumerate(batch)])
            if response.get("Failed"):
                raise RuntimeError(f"work queue refused {len(response['Failed'])} message(s): {response['Failed'][0]}")
        return len(messages)

    def _queue_url(self) -> str:
        if self._url is None:
            self._url = self._sqs.get_queue_url(QueueName=self._name)["QueueUrl"]
        return self._url
