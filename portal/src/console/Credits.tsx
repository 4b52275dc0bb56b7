// "Créditos": the finance team grants an account a credit, with the reason (kept in the account's
// audit trail). The credit is used by the account's next invoices. Below, the credits granted to
// every account (or one), newest first (GET /v1/admin/credits).
import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { Done, ErrorText, LoadError, Loading, Page, Section, useAction } from "../components/ui";
import { brl, dateAndTime } from "../format";
import { centsFrom } from "./figures";
import { usePages } from "./pages";
import { TableScroll } from "./TableScroll";
import { LoadMore } from "./LoadMore";

export function Credits() {
  const [accountId, setAccountId] = useState("");
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const [amountProblem, setAmountProblem] = useState<string | null>(null);
  const [params, setParams] = useSearchParams();
  const account = params.get("conta") ?? undefined;
  const [filter, setFilter] = useState(account ?? "");
  const list = usePages(
    (cursor) => unwrap(api().GET("/v1/admin/credits", { params: { query: { account_id: account, limit: 50, cursor } } })),
    [account],
  );
  const action = useAction();
  return (
    <Page title="Créditos" intro="Crédito concedido a uma conta, com o motivo: abate as próximas faturas da conta.">
      <Section title="Conceder crédito">
        <form
          noValidate
          onSubmit={async (event) => {
            event.preventDefault();
            const cents = centsFrom(amount);
            setAmountProblem(cents ? null : "Informe o valor em reais, maior que zero, por exemplo 150,00.");
            if (!cents) return;
            const given = await action.run(
              () =>
                unwrap(
                  api().POST("/v1/admin/accounts/{account_id}/credits", {
                    params: { path: { account_id: accountId.trim() } },
                    body: { amount_cents: cents, reason },
                  }),
                ),
              (value) => `Crédito de ${brl(value.granted_cents)} concedido. A conta tem agora ${brl(value.credit_cents)} de crédito.`,
            );
            if (given) {
              setAmount("");
              setReason("");
              await list.reload();
            }
          }}
        >
          <label htmlFor="credito-conta">Conta</label>
          <input id="credito-conta" value={accountId} onChange={(e) => setAccountId(e.target.value)} required />
          <label htmlFor="credito-valor">Valor (R$)</label>
          <input
            id="credito-valor"
            inputMode="decimal"
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            aria-invalid={amountProblem ? "true" : undefined}
            aria-describedby="credito-valor-erro"
            required
          />
          <ErrorText id="credito-valor-erro" error={amountProblem} />
          <label htmlFor="credito-motivo">Motivo</label>
          <textarea id="credito-motivo" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} required />
          <ErrorText id="credito-erro" error={action.error} />
          <button type="submit" disabled={action.busy} aria-describedby="credito-erro">
            Conceder crédito
          </button>
          <Done message={action.done} />
        </form>
      </Section>
      <Section title="Créditos concedidos" id="creditos-concedidos">
        <form
          className="toolbar"
          onSubmit={(event) => {
            event.preventDefault();
            const chosen = filter.trim();
            setParams(chosen ? { conta: chosen } : {});
          }}
        >
          <label htmlFor="creditos-filtro">Só da conta</label>
          <input id="creditos-filtro" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="acc_…" />
          <button type="submit" className="secondary">
            Filtrar
          </button>
        </form>
        {list.error ? <LoadError error={list.error} /> : null}
        {list.loading && list.items.length === 0 && <Loading />}
        {!list.loading && !list.error && list.items.length === 0 && <p>Nenhum crédito concedido{account ? " a esta conta" : ""}.</p>}
        {list.items.length > 0 && (
          <TableScroll label="Créditos concedidos">
            <table>
              <caption className="sr-only">Créditos concedidos pelo time financeiro{account ? ` à conta ${account}` : ""}, mais recentes primeiro</caption>
              <thead>
                <tr>
                  <th scope="col">Conta</th>
                  <th scope="col">Concedido</th>
                  <th scope="col">Crédito da conta depois</th>
                  <th scope="col">Motivo</th>
                  <th scope="col">Por</th>
                  <th scope="col">Quando</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((item) => (
                  <tr key={item.id}>
                    <th scope="row" className="mono">
                      {item.account_id}
                    </th>
                    <td className="num">{brl(item.amount_cents)}</td>
                    <td className="num">{brl(item.balance_after_cents)}</td>
                    <td>{item.reason}</td>
                    <td>{item.granted_by}</td>
                    <td>{dateAndTime(item.granted_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
        <LoadMore list={list} />
      </Section>
    </Page>
  );
}
