"""Requests to the finance team ("Solicitações") and their messages."""
from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.api.schemas.common import ApiModel, MultiLineText, PageQuery, RequestModel

RequestType = Literal["nota_fiscal", "licenses", "other"]
RequestStatusName = Literal["open", "answered", "closed"]


class RequestIn(RequestModel):
    type: RequestType = Field(description="nota_fiscal, licenses (mais licenças) ou other.")
    text: MultiLineText = Field(min_length=1, max_length=5000)


class MessageIn(RequestModel):
    text: MultiLineText = Field(min_length=1, max_length=5000)


class AdminMessageIn(RequestModel):
    text: MultiLineText = Field(min_length=1, max_length=5000)
    close: bool = Field(False, description="Encerra a solicitação junto com a resposta.")


class RequestOut(ApiModel):
    id: str
    account_id: str
    type: RequestType
    status: RequestStatusName
    text: str = Field(description="O texto com que a solicitação foi aberta.")
    opened_by: str
    created_at: datetime | None = None
    last_activity_at: datetime
    message_count: int


class RequestPage(ApiModel):
    items: list[RequestOut]
    next_cursor: str | None = None


class MessageOut(ApiModel):
    id: str
    request_id: str
    author: Literal["customer", "finance"]
    author_id: str
    text: str
    created_at: datetime | None = None


class MessagePage(ApiModel):
    items: list[MessageOut]
    next_cursor: str | None = None


class MessagePosted(ApiModel):
    request: RequestOut
    message: MessageOut


class AdminRequestQuery(PageQuery):
    status: RequestStatusName = Field("open", description="open (padrão), answered ou closed.")
