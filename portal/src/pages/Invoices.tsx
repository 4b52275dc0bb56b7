// "Faturas": open, paid or all invoices; one invoice with its lines, its boleto (linha digitável to
// copy, PDF, Pix copia e cola and its QR code), 2ª via and pay now by card.
import { useMemo } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { renderSVG } from "uqr";
import { api, unwrap, type Schemas } from "../api/client";
import { AccountPage } from "../components/AccountPage";
import { CopyButton, Done, ErrorText, LoadError, Loading, Section, useAction, useLoad } from "../components/ui";
import { brl, date, dateAndTime, INVOICE_STATUS, label, PAYMENT_METHOD, period } from "../format";

type Filter = "open" | "paid" | "all";

export function Invoices() {
  return (
    <AccountPage title="Faturas">
      {(account) => <InvoicesBody accountId={account.id} />}
    </AccountPage>
  );
}

function InvoicesBody({ accountId }: { accountId: string }) {
  const [params, setParams] = useSearchParams();
  const filter = (params.get("situacao") as Filter) || "open";
  const selected = params.get("fatura");
  const list = useLoad(
    () =>
      unwrap(
        api().GET("/v1/accounts/{account_id}/invoices", {
          params: { path: { account_id: accountId }, query: { status: filter, limit: 50 } },
        }),
      ),
    [accountId, filter],
  );
  return (
    <>
      <div className="toolbar">
        <label htmlFor="filtro-faturas">Mostrar</label>
        <select
          id="filtro-faturas"
          value={filter}
          onChange={(e) => {
            const next = new URLSearchParams(params);
            next.set("situacao", e.target.value);
            setParams(next);
          }}
        >
          <option value="open">Em aberto</option>
          <option value="paid">Pagas</option>
          <option value="all">Todas</option>
        </select>
      </div>
      {list.error ? <LoadError error={list.error} /> : null}
      {!list.data && !list.error && <Loading />}
      {list.data && list.data.items.length === 0 && <p>Nenhuma fatura {filter === "open" ? "em aberto" : filter === "paid" ? "paga" : ""}.</p>}
      {list.data && list.data.items.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Faturas</caption>
            <thead>
              <tr>
                <th scope="col">Fatura</th>
                <th scope="col">Emissão</th>
                <th scope="col">Vencimento</th>
                <th scope="col">Valor</th>
                <th scope="col">Situação</th>
                <th scope="col">Forma</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((invoice) => (
                <tr key={invoice.id} aria-current={invoice.id === selected ? "true" : undefined}>
                  <th scope="row">
                    <Link to={`?situacao=${filter}&fatura=${encodeURIComponent(invoice.id)}`}>Fatura {invoice.number ?? invoice.id}</Link>
                  </th>
                  <td>{date(invoice.issue_date)}</td>
                  <td>{date(invoice.due_date)}</td>
                  <td className="num">{brl(invoice.total_cents)}</td>
                  <td data-status={invoice.status}>{label(INVOICE_STATUS, invoice.status)}</td>
                  <td>{label(PAYMENT_METHOD, invoice.payment_method)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected && <InvoiceDetail key={selected} accountId={accountId} invoiceId={selected} onChanged={list.reload} />}
    </>
  );
}

function InvoiceDetail({ accountId, invoiceId, onChanged }: { accountId: string; invoiceId: string; onChanged: () => Promise<void> }) {
  const path = { account_id: accountId, invoice_id: invoiceId };
  const invoice = useLoad(
    () => unwrap(api().GET("/v1/accounts/{account_id}/invoices/{invoice_id}", { params: { path } })),
    [accountId, invoiceId],
  );
  const copy = useAction();
  const pay = useAction();
  if (invoice.error) return <LoadError error={invoice.error} />;
  if (!invoice.data) return <Loading />;
  const inv = invoice.data;
  const payable = inv.status === "open" || inv.status === "partially_paid";
  return (
    <Section title={`Fatura ${inv.number ?? inv.id}`} id="fatura">
      <dl className="facts">
        <dt>Situação</dt>
        <dd data-status={inv.status}>{label(INVOICE_STATUS, inv.status)}</dd>
        <dt>Vencimento</dt>
        <dd>{date(inv.due_date)}</dd>
        <dt>Total</dt>
        <dd>{brl(inv.total_cents)}</dd>
        {inv.paid_cents > 0 && (
          <>
            <dt>Pago</dt>
            <dd>{brl(inv.paid_cents)}</dd>
          </>
        )}
      </dl>
      <table>
        <caption>Itens da fatura</caption>
        <thead>
          <tr>
            <th scope="col">Descrição</th>
            <th scope="col">Período</th>
            <th scope="col">Valor</th>
          </tr>
        </thead>
        <tbody>
          {inv.lines.map((line, index) => (
            <tr key={index}>
              <td>{line.description}</td>
              <td>{period(line.period_start, line.period_end)}</td>
              <td className="num">{brl(line.amount_cents)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {inv.boleto && payable && <Boleto boleto={inv.boleto} />}
      {payable && (
        <div className="buttons">
          <div>
            <button
              type="button"
              className="secondary"
              disabled={copy.busy}
              aria-describedby="segunda-via-erro"
              onClick={async () => {
                const next = await copy.run(
                  () => unwrap(api().POST("/v1/accounts/{account_id}/invoices/{invoice_id}/second-copy", { params: { path } })),
                  (value) => (value.new_boleto ? `2ª via gerada com vencimento em ${date(value.boleto?.due_date)}.` : "O boleto atual ainda vale; use-o para pagar."),
                );
                if (next) {
                  invoice.setData(next);
                  await onChanged();
                }
              }}
            >
              Gerar 2ª via
            </button>
            <ErrorText id="segunda-via-erro" error={copy.error} />
            <Done message={copy.done} />
          </div>
          <div>
            <button
              type="button"
              disabled={pay.busy}
              aria-describedby="pagar-erro"
              onClick={async () => {
                const paid = await pay.run(
                  () => unwrap(api().POST("/v1/accounts/{account_id}/invoices/{invoice_id}/pay", { params: { path } })),
                  (value) => value.message ?? (value.outcome === "settled" ? "Pagamento aprovado. Fatura paga." : "Pagamento registrado."),
                );
                if (paid) {
                  await invoice.reload();
                  await onChanged();
                }
              }}
            >
              Pagar agora com cartão
            </button>
            <ErrorText id="pagar-erro" error={pay.error} />
            <Done message={pay.done} />
          </div>
        </div>
      )}
    </Section>
  );
}

function Boleto({ boleto }: { boleto: Schemas["BoletoOut"] }) {
  const qr = useMemo(() => renderSVG(boleto.pix_payload, { border: 2 }), [boleto.pix_payload]);
  return (
    <div className="boleto">
      <h3>Boleto</h3>
      <p>
        Vencimento {date(boleto.due_date)} · {brl(boleto.amount_cents)} · Nosso número {boleto.nosso_numero}
      </p>
      <label htmlFor="linha-digitavel">Linha digitável</label>
      <input id="linha-digitavel" readOnly value={boleto.formatted_line || boleto.digitable_line} className="mono wide" />
      <div className="buttons">
        <CopyButton text={boleto.digitable_line} label="Copiar linha digitável" copiedLabel="Linha digitável copiada." />
        <a href={boleto.pdf_url} target="_blank" rel="noopener noreferrer" className="button secondary">
          Baixar PDF do boleto
        </a>
      </div>
      <p className="hint">O link do PDF vale até {dateAndTime(boleto.pdf_url_expires_at)}.</p>
      <h3>Pix</h3>
      <div className="pix">
        <img src={`data:image/svg+xml;utf8,${encodeURIComponent(qr)}`} alt="QR Code Pix para pagar esta fatura" width={180} height={180} />
        <div>
          <label htmlFor="pix-copia-cola">Pix copia e cola</label>
          <textarea id="pix-copia-cola" readOnly rows={3} value={boleto.pix_payload} className="mono" />
          <CopyButton text={boleto.pix_payload} label="Copiar código Pix" copiedLabel="Código Pix copiado." />
        </div>
      </div>
    </div>
  );
}
