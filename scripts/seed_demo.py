"""Demo data of the local stack: two accounts with their owners and billing data, and a welcome coupon
(the catalog's `operand-start` offers the 14-day trial). Idempotent: accounts are keyed by fixed ids
and the coupon by its code, so a second run changes nothing."""
from chalicelib.domain.enums import Role
from chalicelib.services.shared.audit import audit_entry
from chalicelib.store.accounts import ACCOUNT_SK, AccountItem, MemberItem, member_sk
from chalicelib.store.base import account_pk

DEMO_ACCOUNTS = (
    {
        "account_id": "acc_demo_marcenaria",
        "name": "Marcenaria Demonstração",
        "owner": ("demo-owner-1", "dono@marcenaria.demo"),
        "due_day": 15,
        "billing_data": {
            "legal_name": "Marcenaria Demonstração Ltda", "document": "11222333000181",
            "address": {"street": "Rua das Araucárias", "number": "250", "complement": None,
                        "district": "Centro", "city": "Bento Gonçalves", "state": "RS", "cep": "95700000"},
            "state_registration": None, "billing_emails": ["financeiro@marcenaria.demo"],
        },
    },
    {
        "account_id": "acc_demo_parceiro",
        "name": "Contabilidade Parceira Demo",
        "owner": ("demo-owner-2", "dona@parceiro.demo"),
        "due_day": 8,
        "billing_data": {
            "legal_name": "Maria da Silva", "document": "52998224725",
            "address": {"street": "Avenida Paulista", "number": "1000", "complement": "conj. 42",
                        "district": "Bela Vista", "city": "São Paulo", "state": "SP", "cep": "01310100"},
            "state_registration": None, "billing_emails": ["contas@parceiro.demo"],
        },
    },
)


# 20% off the first 3 months (docs/promotions.md).
DEMO_COUPON = {"code": "BEMVINDO20", "percent_off": 20, "duration": "repeating", "duration_months": 3}


def seed_demo(services) -> list[dict]:
    repository = services.account_repository
    for demo in DEMO_ACCOUNTS:
        if repository.get(demo["account_id"]) is None:
            _create(services, demo)
    if services.coupon_repository.get(DEMO_COUPON["code"]) is None:
        from chalicelib.services.subscriptions.coupons import NewCoupon

        services.coupons.create(NewCoupon(**DEMO_COUPON), actor="seed")
    return [{"account_id": d["account_id"], "owner": d["owner"][0], "email": d["owner"][1]}
            for d in DEMO_ACCOUNTS]


def _create(services, demo: dict) -> None:
    account_id = demo["account_id"]
    user_id, email = demo["owner"]
    now = services.clock.now()
    account = AccountItem(pk=account_pk(account_id), sk=ACCOUNT_SK, account_id=account_id,
                          name=demo["name"], owner_user_id=user_id, billing_data=demo["billing_data"],
                          due_day=demo["due_day"], default_payment_method="boleto", created_at=now)
    owner = MemberItem(pk=account_pk(account_id), sk=member_sk(user_id), account_id=account_id,
                       user_id=user_id, email=email, role=Role.OWNER.value, active=True, invited=False,
                       created_at=now, gsi1pk=f"USER#{user_id}", gsi1sk=account_pk(account_id))
    audit = audit_entry(services.clock, account_id, actor="seed", action="account.created",
                        target=account_id, after={"name": demo["name"]}, reason="dados de demonstração")
    services.account_repository.create(account, owner, audit)
