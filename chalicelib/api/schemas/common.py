"""Shapes shared by many routes."""
from pydantic import BaseModel, ConfigDict, Field


class RequestModel(BaseModel):
    """Request bodies refuse unknown fields: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorDetail(BaseModel):
    code: str = Field(description="Código estável, snake_case.")
    message: str = Field(description="Mensagem em português para pessoas.")
    details: dict = Field(default_factory=dict)


class ErrorResponse(BaseModel):
    error: ErrorDetail


class PageQuery(RequestModel):
    limit: int = Field(20, ge=1, le=100)
    cursor: str | None = Field(None, max_length=2048)


class Health(BaseModel):
    status: str
    stage: str
