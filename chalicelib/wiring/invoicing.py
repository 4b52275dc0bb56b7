"""The invoicing context: boleto documents, issuing, queries, second copies, reminders."""
from functools import cached_property


class InvoicingWiring:
    @cached_property
    def boleto_documents(self):
        """`issue(account_id=, invoice_id=, amount_cents=, due_date=, payer=, description_lines=)`."""
        from chalicelib.services.invoicing.boleto_documents import BoletoDocumentService
        from chalicelib.store.counters import allocate_nosso_numero

        dynamodb, table = self.boto3_client("dynamodb"), self.settings.billing_table

        def allocate(bank, agreement, max_value):  # the service's counter port, on the billing table
            return allocate_nosso_numero(dynamodb, table, bank, agreement, max_value=max_value)

        return BoletoDocumentService(self.settings, allocate, self.files, self.clock)

    @cached_property
    def invoice_notices(self):
        from chalicelib.services.invoicing.notices import InvoiceNotices

        return InvoiceNotices(self.mailer, self.events, self.settings.portal_url, self.billing_repository)

    @cached_property
    def order_boletos(self):
        """The boleto and invoice-issued e-mail of an invoice created on the spot (an order)."""
        from chalicelib.services.invoicing.order_boletos import OrderBoletos

        return OrderBoletos(self.boleto_documents, self.invoice_notices, self.invoice_reads,
                            self.settings.boleto_bank)

    @cached_property
    def invoicing(self):
        """The issue-invoices worker: `issue_for_account(account_id, issue_date)`."""
        from chalicelib.services.invoicing.worker import JOB_ACTOR, InvoicingService

        return InvoicingService(self.billing_repository, self.invoice_reads, self.catalog, self.boleto_documents,
                                self.invoice_notices, self.clock, self.settings.boleto_bank,
                                cycle_charges=self.pix_cycle_charges,
                                seats_removed=lambda account_id: self.licensing.sync(account_id, JOB_ACTOR))

    @cached_property
    def invoice_queries(self):
        from chalicelib.services.invoicing.queries import InvoiceQueries

        return InvoiceQueries(self.invoice_reads, self.boleto_documents, self.clock)

    @cached_property
    def second_copies(self):
        from chalicelib.services.invoicing.second_copy import SecondCopyService

        return SecondCopyService(self.invoice_reads, self.invoice_writes, self.account_repository,
                                 self.boleto_documents, self.clock, self.settings.boleto_bank)

    @cached_property
    def issue_invoices_job(self):
        """The planner; in the local stage the worker runs in-process instead of through SQS."""
        from chalicelib.services.invoicing.job import IssueInvoicesJob

        return IssueInvoicesJob(self.invoice_reads, self.checkpoints, self.work_queue, in_process=self.settings.is_local)

    @cached_property
    def reminders(self):
        """The send-reminders job: `run_due(today)` (docs/reminders.md)."""
        from chalicelib.services.invoicing.reminders import ReminderService

        return ReminderService(self.billing_repository, self.invoice_reads, self.invoice_writes,
                               self.invoice_notices, self.mailer, self.checkpoints, self.clock)
