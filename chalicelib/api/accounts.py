"""Accounts, billing data, billing settings and members."""
from chalice import Blueprint

from chalicelib.api.access import BILLING_VIEWERS, Access
from chalicelib.api.pagination import Paged
from chalicelib.api.routing import RequestContext, endpoint
from chalicelib.api.schemas.accounts import (
    AccountCreate, AccountList, AccountOut, BillingData, BillingDataOut, BillingSettings, BillingSettingsOut,
    MemberInvite, MemberList, MemberOut, MemberPatch, NotFollowingOut,
)
from chalicelib.domain.enums import Role
from chalicelib.wiring import container

bp = Blueprint(__name__)
ACCOUNT = "/v1/accounts/{account_id}"


def account_out(account, role: str) -> AccountOut:
    billing = account.billing_data.as_dict() if account.billing_data else None
    if billing is not None:
        billing["document_type"] = "cpf" if len(billing["document"]) == 11 else "cnpj"
    show_billing = Role(role) in BILLING_VIEWERS
    return AccountOut(
        id=account.account_id, name=account.name, status=account.status, role=role,
        billing_data=BillingDataOut.model_validate(billing) if billing and show_billing else None,
        due_day=account.due_day, default_payment_method=account.default_payment_method,
        credit_cents=account.credit_cents, created_at=account.created_at,
    )


def member_out(member) -> MemberOut:
    return MemberOut(user_id=member.user_id, email=member.email, role=member.role,
                     active=member.active, invited=member.invited)


@endpoint(bp, "/v1/accounts", "POST", access=Access.USER, body=AccountCreate, response=AccountOut,
          status=201, summary="Cria uma conta; quem chama torna-se o proprietário.", tags=["accounts"])
def create_account(ctx: RequestContext):
    account = container().accounts.create(ctx.principal, ctx.body.name)
    return account_out(account, Role.OWNER)


# A cursor is the caller's own: another user's is refused.
@endpoint(bp, "/v1/accounts", "GET", access=Access.USER, cursor_scope="user:{user}", response=AccountList,
          summary="Minhas contas: as contas de quem chama, com o papel em cada uma (paginado).",
          tags=["accounts"])
def list_my_accounts(ctx: RequestContext):
    page, last = container().accounts.my_accounts_page(ctx.principal, ctx.page.limit, ctx.page.after)
    return Paged(AccountList(items=[account_out(account, member.role) for account, member in page]), last)


@endpoint(bp, ACCOUNT, "GET", access=Access.ACCOUNT_MEMBER, response=AccountOut,
          summary="Conta com dados e configurações de faturamento.", tags=["accounts"])
def get_account(ctx: RequestContext, account_id: str):
    return account_out(container().accounts.get(account_id), ctx.member.role)


@endpoint(bp, ACCOUNT + "/billing-data", "PUT", access=Access.BILLING, body=BillingData,
          response=AccountOut, summary="Razão social, CPF/CNPJ, endereço e e-mails de cobrança.",
          tags=["accounts"])
def put_billing_data(ctx: RequestContext, account_id: str):
    data = ctx.body.model_dump(mode="json")
    account = container().accounts.update_billing_data(account_id, data, ctx.actor)
    return account_out(account, ctx.member.role)


@endpoint(bp, ACCOUNT + "/billing-settings", "PUT", access=Access.BILLING, body=BillingSettings,
          response=BillingSettingsOut, summary="Dia de vencimento (8, 15, 22) e forma de pagamento padrão, que "
          "passa a valer nas renovações de todas as assinaturas que a aceitam; as demais vêm listadas com o motivo.",
          tags=["accounts"])
def put_billing_settings(ctx: RequestContext, account_id: str):
    services = container()
    changes = ctx.body.model_dump(exclude_none=True, mode="json")
    method = changes.pop("default_payment_method", None)
    account = services.accounts.update_billing_settings(account_id, changes, ctx.actor) if changes else None
    not_following = []
    if method is not None:
        snapshot, not_following = services.renewal_settings.set_default_payment_method(account_id, method, ctx.actor)
        account = snapshot.account
    return BillingSettingsOut(**account_out(account, ctx.member.role).model_dump(), subscriptions_not_following=[
        NotFollowingOut(subscription_id=n.subscription_id, reason_code=n.reason_code, message=n.message)
        for n in not_following])


@endpoint(bp, ACCOUNT + "/members", "GET", access=Access.BILLING, cursor_scope="{account_id}", response=MemberList,
          summary="Membros da conta e convites pendentes.", tags=["members"])
def list_members(ctx: RequestContext, account_id: str):
    members, last = container().accounts.members_page(account_id, ctx.page.limit, ctx.page.after)
    return Paged(MemberList(items=[member_out(m) for m in members]), last)


@endpoint(bp, ACCOUNT + "/members", "POST", access=Access.MEMBERS_MANAGE, body=MemberInvite,
          response=MemberOut, status=201, summary="Convida um membro (e-mail e papel).", tags=["members"])
def invite_member(ctx: RequestContext, account_id: str):
    member = container().accounts.invite(account_id, ctx.body.email, Role(ctx.body.role), ctx.actor)
    return member_out(member)


@endpoint(bp, ACCOUNT + "/members/{user_id}", "PATCH", access=Access.MEMBERS_MANAGE, body=MemberPatch,
          response=MemberOut, summary="Altera o papel ou ativa/desativa um membro.", tags=["members"])
def patch_member(ctx: RequestContext, account_id: str, user_id: str):
    changes = ctx.body.model_dump(exclude_none=True)
    return member_out(container().accounts.update_member(account_id, user_id, changes, ctx.actor))
