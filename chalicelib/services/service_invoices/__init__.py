"""Service invoices (NFS-e Nacional, PRODUCT.md §12, docs/service-invoices.md): every paid invoice of
a product with `service_invoice: on_payment` gets one NFS-e, never two; a full refund cancels it and a
partial one substitutes it.

- opening.py: what settlement and refunds write in their own transactions (the pending NFS-e of a
  paid invoice, the cancellation or substitution a refund asks for).
- dps.py: the DPS's values from the invoice, the account's billing data and the vendor's settings.
- issuer.py: the work on one NFS-e under a lease (issue, cancel, substitute), and the job's run.
- notices.py: the events, the e-mail to the customer and the finance team's request on a failure.
- views.py: what the invoice's answer shows, with short-lived links to the XML and the DANFSe."""
