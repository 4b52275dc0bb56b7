// "Estornos": the finance team refunds a payment within the 7-day withdrawal window. A card payment
// goes back through the gateway; a boleto or Pix payment becomes a refund the team returns by hand
// (the API also e-mails the team). The API decides the window; its refusal is shown under the form.
// Below, every account's refunds by status, newest first (GET /v1/admin/refunds).
import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import { api, unwrap, type Schemas } from "../api/client";
import { Done, ErrorText, LoadError, Loading, Page, Section, useAction } from "../components/ui";
import { brl, dateAndTime, label, PAYMENT_METHOD } from "../format";
import { usePages } from "./pages";
import { TableScroll } from "./TableScroll";
import { LoadMore } from "./LoadMore";

type Status = Schemas["RefundListItem"]["status"];
const STATUSES: Status[] = ["requested", "refunded"];
const LISTED: Record<Status, string> = {
  requested: "A devolver pelo time financeiro",
  refunded: "Devolvidos pelo gateway",
};
const OUTCOME: Record<Status, string> = {
  refunded: "Devolvido pelo gateway ao cartão do cliente",
  requested: "A devolver pelo time financeiro (transferência ou Pix ao cliente)",
};

export function Refunds() {
  const [accountId, setAccountId] = useState("");
  const [paymentId, setPaymentId] = useState("");
  const [reason, setReason] = useState("");
  const [reviewing, setReviewing] = useState(false);
  // One key per refund asked: a retry after a lost answer cannot refund twice.
  const [attempt, setAttempt] = useState(() => crypto.randomUUID());
  const [params, setParams] = useSearchParams();
  const status = (STATUSES as string[]).includes(params.get("situacao") ?? "") ? (params.get("situacao") as Status) : "requested";
  const list = usePages(
    (cursor) => unwrap(api().GET("/v1/admin/refunds", { params: { query: { status, limit: 50, cursor } } })),
    [status],
  );
  const action = useAction();
  // Any change to what is asked goes back to the first step: the confirmation names what is sent.
  const edit = (set: (value: string) => void) => (event: { target: { value: string } }) => {
    set(event.target.value);
    setReviewing(false);
  };
  const refund = async () => {
    const done = await action.run(
      () =>
        unwrap(
          api().POST("/v1/admin/accounts/{account_id}/payments/{payment_id}/refund", {
            params: { path: { account_id: accountId.trim(), payment_id: paymentId.trim() }, header: { "Idempotency-Key": attempt } },
            body: { reason },
          }),
        ),
      (value) => `Estorno ${value.refund_id} registrado: ${brl(value.amount_cents)}.`,
    );
    if (done) {
      if (done.status !== status) setParams({ situacao: done.status });
      else await list.reload();
      setPaymentId("");
      setReason("");
      setAttempt(crypto.randomUUID());
    }
    setReviewing(false);
  };
  return (
    <Page
      title="Estornos"
      intro="Estorno de um pagamento em até 7 dias: no cartão o dinheiro volta pelo gateway; boleto e Pix viram uma devolução que o time faz à mão."
    >
      <Section title="Estornar um pagamento">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (reviewing) void refund();
            else setReviewing(true);
          }}
        >
          <label htmlFor="estorno-conta">Conta</label>
          <input id="estorno-conta" value={accountId} onChange={edit(setAccountId)} required />
          <label htmlFor="estorno-pagamento">Pagamento</label>
          <input
            id="estorno-pagamento"
            value={paymentId}
            onChange={edit(setPaymentId)}
            aria-describedby="estorno-pagamento-ajuda"
            required
          />
          <p id="estorno-pagamento-ajuda" className="hint">
            O identificador do pagamento (pay_…), como aparece na solicitação do cliente ou no e-mail de pagamento confirmado.
          </p>
          <label htmlFor="estorno-motivo">Motivo</label>
          <textarea
            id="estorno-motivo"
            rows={3}
            minLength={3}
            value={reason}
            onChange={edit(setReason)}
            required
          />
          {reviewing && (
            <p className="summary" role="status">
              Estornar o pagamento <span className="mono">{paymentId.trim()}</span> da conta{" "}
              <span className="mono">{accountId.trim()}</span>? O valor pago volta ao cliente e a fatura fica estornada.
            </p>
          )}
          <ErrorText id="estorno-erro" error={action.error} />
          <button type="submit" disabled={action.busy} aria-describedby="estorno-erro">
            {reviewing ? "Confirmar estorno" : "Estornar pagamento"}
          </button>
          {reviewing && (
            <button type="button" className="secondary" onClick={() => setReviewing(false)}>
              Voltar
            </button>
          )}
          <Done message={action.done} />
        </form>
      </Section>
      <RefundList status={status} onStatus={(value) => setParams({ situacao: value })} list={list} />
    </Page>
  );
}

function RefundList({
  status,
  onStatus,
  list,
}: {
  status: Status;
  onStatus: (status: Status) => void;
  list: ReturnType<typeof usePages<Schemas["RefundListItem"]>>;
}) {
  return (
    <Section title="Estornos registrados" id="estornos-registrados">
      <div className="toolbar">
        <label htmlFor="estornos-situacao">Situação</label>
        <select id="estornos-situacao" value={status} onChange={(event) => onStatus(event.target.value as Status)}>
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {LISTED[value]}
            </option>
          ))}
        </select>
      </div>
      {list.error ? <LoadError error={list.error} /> : null}
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && !list.error && list.items.length === 0 && <p>Nenhum estorno nesta situação.</p>}
      {list.items.length > 0 && (
        <TableScroll label={`Estornos: ${LISTED[status].toLowerCase()}`}>
          <table>
            <caption className="sr-only">Estornos de todas as contas ({LISTED[status].toLowerCase()}), mais recentes primeiro</caption>
            <thead>
              <tr>
                <th scope="col">Estorno</th>
                <th scope="col">Conta</th>
                <th scope="col">Pagamento</th>
                <th scope="col">Fatura</th>
                <th scope="col">Valor</th>
                <th scope="col">Forma</th>
                <th scope="col">Motivo</th>
                <th scope="col">Pedido por</th>
                <th scope="col">Quando</th>
                <th scope="col">Situação</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((item) => (
                <tr key={item.id}>
                  <th scope="row" className="mono">
                    {item.id}
                  </th>
                  <td className="mono">{item.account_id}</td>
                  <td className="mono">{item.payment_id}</td>
                  <td className="mono">{item.invoice_id}</td>
                  <td className="num">{brl(item.amount_cents)}</td>
                  <td>{label(PAYMENT_METHOD, item.method)}</td>
                  <td>{item.reason}</td>
                  <td>{item.requested_by}</td>
                  <td>{dateAndTime(item.created_at)}</td>
                  <td>{OUTCOME[item.status]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <LoadMore list={list} />
    </Section>
  );
}
