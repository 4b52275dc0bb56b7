import { useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap, type Schemas } from "../api/client";
import { AccountPage } from "../components/AccountPage";
import { ErrorText, LoadError, Loading, Section, useAction, useLoad } from "../components/ui";
import { brl, date, label, LICENSE, PAYMENT_METHOD, PERIODICITY, SUBSCRIPTION_STATUS } from "../format";

export function Subscriptions() {
  return (
    <AccountPage title="Minhas assinaturas" intro="Todas as assinaturas da conta, com a situação de cada licença.">
      {(account, allowed) => <SubscriptionList accountId={account.id} planChange={allowed.planChange} />}
    </AccountPage>
  );
}

function SubscriptionList({ accountId, planChange }: { accountId: string; planChange: boolean }) {
  const path = { account_id: accountId };
  const list = useLoad(
    () =>
      Promise.all([
        unwrap(api().GET("/v1/accounts/{account_id}/subscriptions", { params: { path, query: { limit: 100 } } })),
        unwrap(api().GET("/v1/accounts/{account_id}/entitlements", { params: { path } })),
        unwrap(api().GET("/v1/catalog")),
      ]),
    [accountId],
  );
  if (list.error) return <LoadError error={list.error} />;
  if (!list.data) return <Loading />;
  const [subscriptions, entitlements, catalog] = list.data;
  const batchProducts = new Set(catalog.items.filter((p) => p.kind === "batch").map((p) => p.id));
  const licenseOf = new Map(entitlements.items.map((item) => [item.subscription_id, item.license]));
  return (
    <>
      {subscriptions.items.length === 0 ? (
        <p>Nenhuma assinatura nesta conta.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">Assinaturas da conta</caption>
            <thead>
              <tr>
                <th scope="col">Plano</th>
                <th scope="col">Periodicidade</th>
                <th scope="col">Licenças</th>
                <th scope="col">Situação</th>
                <th scope="col">Licença</th>
                <th scope="col">Forma de pagamento</th>
                <th scope="col">Próximo vencimento</th>
                <th scope="col">Ações</th>
              </tr>
            </thead>
            <tbody>
              {subscriptions.items.map((sub) => (
                <tr key={sub.id}>
                  <th scope="row">{sub.product_name}</th>
                  <td>{label(PERIODICITY, sub.periodicity)}</td>
                  <td>{sub.quantity}</td>
                  <td>{label(SUBSCRIPTION_STATUS, sub.status)}</td>
                  <td data-licenca={licenseOf.get(sub.id) ?? "none"}>{label(LICENSE, licenseOf.get(sub.id) ?? "none")}</td>
                  <td>{label(PAYMENT_METHOD, sub.payment_method)}</td>
                  <td>{date(sub.next_due_date)}</td>
                  <td className="actions">
                    <Link to={`/contas/${accountId}/assinaturas/${sub.id}`} aria-label={`Meu Plano: ${sub.product_name}`}>
                      Meu Plano
                    </Link>
                    {batchProducts.has(sub.product_id) && (
                      <Link to={`/contas/${accountId}/lotes/${sub.id}`} aria-label={`Licenças do lote: ${sub.product_name}`}>
                        Licenças do lote
                      </Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {planChange && <Subscribe accountId={accountId} catalog={catalog} onDone={list.reload} />}
    </>
  );
}

function Subscribe({
  accountId,
  catalog,
  onDone,
}: {
  accountId: string;
  catalog: Schemas["CatalogOut"];
  onDone: () => Promise<void>;
}) {
  const action = useAction();
  const [productId, setProductId] = useState("");
  const [periodicity, setPeriodicity] = useState("monthly");
  const [quantity, setQuantity] = useState(1);
  const [method, setMethod] = useState<"boleto" | "card">("boleto");
  const products = catalog.items.filter((p) => p.kind !== "addon");
  const product = products.find((p) => p.id === productId);
  const periodicities = product ? Object.keys(product.prices) : [];
  const boletoAllowed = product ? product.boleto_periodicities.includes(periodicity as never) : true;
  return (
    <Section title="Assinar um plano">
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const created = await action.run(
            () =>
              unwrap(
                api().POST("/v1/accounts/{account_id}/subscriptions", {
                  params: { path: { account_id: accountId } },
                  body: {
                    product_id: productId,
                    periodicity: periodicity as Schemas["Periodicity"],
                    quantity,
                    payment_method: method,
                  },
                }),
              ),
            (value) =>
              value.status === "trialing" && value.trial_end
                ? `Assinatura de ${value.product_name} criada: período de teste até ${date(value.trial_end)}, sem cobrança até lá.`
                : `Assinatura de ${value.product_name} criada. A fatura já está em Faturas.`,
          );
          if (created) await onDone();
        }}
      >
        <div className="row">
          <div>
            <label htmlFor="assinar-produto">Plano</label>
            <select
              id="assinar-produto"
              value={productId}
              required
              onChange={(e) => {
                setProductId(e.target.value);
                const next = products.find((p) => p.id === e.target.value);
                if (next && !(periodicity in next.prices)) setPeriodicity(Object.keys(next.prices)[0]);
              }}
            >
              <option value="">Escolha…</option>
              {products.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="assinar-periodicidade">Periodicidade</label>
            <select id="assinar-periodicidade" value={periodicity} onChange={(e) => setPeriodicity(e.target.value)}>
              {(periodicities.length ? periodicities : Object.keys(PERIODICITY)).map((key) => (
                <option key={key} value={key}>
                  {label(PERIODICITY, key)}
                  {product ? ` — ${brl((product.prices as Record<string, number>)[key])}` : ""}
                </option>
              ))}
            </select>
          </div>
          {(!product || product.pricing === "per_seat") && (
            <div>
              <label htmlFor="assinar-quantidade">Licenças</label>
              <input
                id="assinar-quantidade"
                type="number"
                min={1}
                value={quantity}
                onChange={(e) => setQuantity(Math.max(1, Number(e.target.value) || 1))}
              />
            </div>
          )}
        </div>
        <fieldset>
          <legend>Forma de pagamento</legend>
          <label className="inline">
            <input type="radio" name="assinar-forma" checked={method === "boleto"} disabled={!boletoAllowed} onChange={() => setMethod("boleto")} />
            Boleto bancário
          </label>
          <label className="inline">
            <input type="radio" name="assinar-forma" checked={method === "card"} onChange={() => setMethod("card")} />
            Cartão de crédito
          </label>
          {!boletoAllowed && <p className="hint">Boleto não está disponível nesta periodicidade.</p>}
        </fieldset>
        <ErrorText id="assinar-erro" error={action.error} />
        <button type="submit" disabled={action.busy} aria-describedby="assinar-erro">
          Assinar
        </button>
        {action.done && <p role="status" className="done">{action.done}</p>}
      </form>
    </Section>
  );
}
