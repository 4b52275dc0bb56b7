"""The account's single card."""
from chalice import Blueprint

from chalicelib.api.access import Access
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.cards import CardIn, CardOut, CardRemovedOut
from chalicelib.wiring import container

bp = Blueprint(__name__)
CARD = "/v1/accounts/{account_id}/card"


@endpoint(bp, CARD, "PUT", access=Access.BILLING, body=CardIn, response=CardOut,
          summary="Cadastra ou troca o cartão da conta (token do gateway); as assinaturas no cartão o seguem.",
          tags=["payment"])
def put_card(ctx: RequestContext, account_id: str):
    from chalicelib.services.subscriptions.cards import CardData

    card, followers = container().cards.set_card(account_id, CardData(**ctx.body.model_dump()), ctx.actor)
    return CardOut(brand=card.brand, last4=card.last4, exp_month=card.exp_month, exp_year=card.exp_year,
                   updated_at=card.created_at, subscriptions_following=followers)


@endpoint(bp, CARD, "DELETE", access=Access.BILLING, response=CardRemovedOut,
          summary="Remove o cartão, se nada mais for pago com ele.", tags=["payment"])
def delete_card(ctx: RequestContext, account_id: str):
    container().cards.remove_card(account_id, ctx.actor)
    return CardRemovedOut(removed=True)
