"""Who receives an account's e-mails: the billing list plus the owner, always (PRODUCT.md §1)."""


def owner_email(accounts, account) -> str | None:
    owner = accounts.get_member(account.account_id, account.owner_user_id)
    return owner.email if owner else None


def billing_recipients(accounts, account) -> list[str]:
    billing = account.billing_data.as_dict() if account.billing_data else {}
    emails = list(billing.get("billing_emails") or [])
    owner = owner_email(accounts, account)
    if owner:
        emails.append(owner)
    return list(dict.fromkeys(email.lower() for email in emails))
