// "Meu Plano": one subscription — plan, period, licenses and storage, renewal, payment method, open
// invoices, plan changes with their preview, cancellation (with the API's quote) and its undo. It renders
// from two API calls (the account and the plan); the catalog is fetched only when "Alterar meu plano" is
// opened, the cancellation quote only when "Cancelar assinatura" is.
import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import { api, unwrap, type Schemas } from "../api/client";
import { AccountPage } from "../components/AccountPage";
import { LicenseKeys } from "../components/LicenseKeys";
import { PixAutomatico } from "../components/PixAutomatico";
import { Done, ErrorText, LoadError, Loading, Section, useAction, useLoad } from "../components/ui";
import { brl, date, gigabytes, label, INVOICE_STATUS, PAYMENT_METHOD, period, PERIODICITY, SUBSCRIPTION_STATUS } from "../format";
import type { can } from "../account";

type Plan = Schemas["PlanOut"];
type Allowed = ReturnType<typeof can>;

export function Plan() {
  return (
    <AccountPage title="Meu Plano">
      {(account, allowed) => <PlanBody accountId={account.id} allowed={allowed} />}
    </AccountPage>
  );
}

function PlanBody({ accountId, allowed }: { accountId: string; allowed: Allowed }) {
  const { subscriptionId } = useParams();
  const path = { account_id: accountId, subscription_id: subscriptionId! };
  const plan = useLoad(
    () => unwrap(api().GET("/v1/accounts/{account_id}/subscriptions/{subscription_id}", { params: { path } })),
    [accountId, subscriptionId],
  );
  if (plan.error) return <LoadError error={plan.error} />;
  if (!plan.data) return <Loading />;
  const p = plan.data;
  const update = (next: Plan) => plan.setData(next);
  return (
    <div className="grid">
      <Summary plan={p} />
      {allowed.planChange && p.status !== "cancelled" && <Coupon plan={p} path={path} onDone={update} />}
      {allowed.planChange && p.status !== "cancelled" && <ChangePlan plan={p} path={path} onDone={plan.reload} />}
      <Storage plan={p} />
      <Renewal plan={p} path={path} onDone={update} />
      <PaymentMethod plan={p} path={path} onDone={update} accountId={accountId} />
      <PixAutomatico plan={p} path={path} mayChange={allowed.planChange} onChanged={plan.reload} />
      <OpenInvoices plan={p} accountId={accountId} />
      {allowed.planChange && <LicenseKeys accountId={accountId} subscriptionId={p.id} />}
      {allowed.planChange && <Cancel plan={p} path={path} onDone={plan.reload} />}
    </div>
  );
}

function Summary({ plan }: { plan: Plan }) {
  const discountNext = plan.next_renewal?.discount_cents ?? 0;
  return (
    <Section title="Assinatura">
      {plan.status === "trialing" && plan.trial_end && (
        <p className="notice" data-valor="teste">
          Período de teste até {date(plan.trial_end)}
        </p>
      )}
      <dl className="facts">
        <dt>Plano</dt>
        <dd>{plan.product_name}</dd>
        <dt>Situação</dt>
        <dd data-status={plan.status}>{label(SUBSCRIPTION_STATUS, plan.status)}</dd>
        <dt>Periodicidade</dt>
        <dd>{label(PERIODICITY, plan.periodicity)}</dd>
        <dt>Período atual</dt>
        <dd>
          {period(plan.current_period_start, plan.current_period_end)}
        </dd>
        <dt>Licenças</dt>
        <dd>
          {plan.licenses_used} em uso de {plan.quantity} contratada{plan.quantity === 1 ? "" : "s"}
        </dd>
        <dt>Pago no período</dt>
        <dd>{brl(plan.paid_cents)}</dd>
        <dt>Próximo vencimento</dt>
        <dd>{date(plan.next_due_date)}</dd>
        {plan.next_renewal && (
          <>
            <dt>Próxima renovação</dt>
            <dd>
              {brl(plan.next_renewal.amount_cents)} em {date(plan.next_renewal.due_date)} ({plan.next_renewal.quantity}{" "}
              licença{plan.next_renewal.quantity === 1 ? "" : "s"},{" "}
              {period(plan.next_renewal.period_start, plan.next_renewal.period_end)})
            </dd>
          </>
        )}
        {discountNext > 0 && (
          <>
            <dt>Desconto na próxima renovação</dt>
            <dd data-valor="desconto-renovacao">{brl(discountNext)}</dd>
          </>
        )}
        {plan.discount && (
          <>
            <dt>Cupom de desconto</dt>
            <dd data-valor="cupom">{discountText(plan.discount)}</dd>
          </>
        )}
        {plan.account_credit_cents > 0 && (
          <>
            <dt>Crédito da conta</dt>
            <dd>{brl(plan.account_credit_cents)}</dd>
          </>
        )}
      </dl>
    </Section>
  );
}

function discountText(discount: Schemas["DiscountOut"]): string {
  const off = discount.percent_off != null ? `${discount.percent_off}%` : brl(discount.amount_off_cents ?? 0);
  const months = discount.duration_months ?? 1;
  const span =
    discount.duration === "once"
      ? "em um período"
      : discount.duration === "forever"
        ? "em todas as renovações"
        : `por ${months} ${months === 1 ? "mês" : "meses"}`;
  return `${discount.coupon}: ${off} de desconto ${span}, a partir de ${date(discount.starts)}`;
}

type Path = { account_id: string; subscription_id: string };

/** "Cupom de desconto": the API says whether the code may be used (its pt-BR 422 next to the field). */
function Coupon({ plan, path, onDone }: { plan: Plan; path: Path; onDone: (p: Plan) => void }) {
  const [code, setCode] = useState("");
  const action = useAction();
  return (
    <Section title="Cupom">
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const next = await action.run(
            () =>
              unwrap(
                api().POST("/v1/accounts/{account_id}/subscriptions/{subscription_id}/coupon", {
                  params: { path },
                  body: { code: code.trim() },
                }),
              ),
            (value) => `Cupom ${value.discount?.coupon ?? code.trim().toUpperCase()} aplicado.`,
          );
          if (next) {
            setCode("");
            onDone(next);
          }
        }}
      >
        <label htmlFor="cupom">Cupom de desconto</label>
        <input
          id="cupom"
          value={code}
          autoComplete="off"
          required
          aria-describedby="cupom-erro cupom-ajuda"
          onChange={(e) => setCode(e.target.value)}
        />
        <ErrorText id="cupom-erro" error={action.error} />
        <p id="cupom-ajuda" className="hint">
          {plan.discount
            ? `Cupom ${plan.discount.coupon} em uso; outro só vale depois que ele terminar.`
            : "O desconto vale a partir da próxima fatura desta assinatura."}
        </p>
        <button type="submit" disabled={action.busy || !code.trim()}>
          Aplicar cupom
        </button>
      </form>
      <Done message={action.done} />
    </Section>
  );
}

function Storage({ plan }: { plan: Plan }) {
  const ratio = plan.storage_gb > 0 ? Math.min(1, plan.storage_used_gb / plan.storage_gb) : 0;
  return (
    <Section title="Armazenamento">
      <p>
        <strong>{gigabytes(plan.storage_used_gb)}</strong> usados de <strong>{gigabytes(plan.storage_gb)}</strong> contratados
        adicionalmente.
      </p>
      {plan.storage_gb > 0 && (
        <meter min={0} max={1} value={ratio} aria-label="Espaço usado do armazenamento contratado">
          {Math.round(ratio * 100)}%
        </meter>
      )}
    </Section>
  );
}

function Renewal({ plan, path, onDone }: { plan: Plan; path: Path; onDone: (p: Plan) => void }) {
  const [editing, setEditing] = useState(false);
  const [mode, setMode] = useState(plan.renewal_mode);
  const action = useAction();
  const current =
    plan.renewal_mode === "all"
      ? "Automática para todas as licenças contratadas, em uso ou não."
      : "Automática apenas para as licenças ativas (usuários ativos).";
  return (
    <Section title="Renovação">
      <p>{current}</p>
      {!plan.auto_renew && <p className="notice">A renovação automática está desligada (cancelamento agendado).</p>}
      {!editing ? (
        <button type="button" className="secondary" onClick={() => setEditing(true)} aria-label="Alterar a renovação">
          Alterar
        </button>
      ) : (
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            const next = await action.run(
              () =>
                unwrap(
                  api().PUT("/v1/accounts/{account_id}/subscriptions/{subscription_id}/renewal", {
                    params: { path },
                    body: { renewal_mode: mode },
                  }),
                ),
              "Renovação atualizada.",
            );
            if (next) {
              onDone(next);
              setEditing(false);
            }
          }}
        >
          <fieldset>
            <legend>Como renovar</legend>
            <label className="inline">
              <input type="radio" name="renovacao" checked={mode === "all"} onChange={() => setMode("all")} />
              Renovar automaticamente todas as licenças
            </label>
            <label className="inline">
              <input type="radio" name="renovacao" checked={mode === "active_only"} onChange={() => setMode("active_only")} />
              Renovar automaticamente apenas as licenças ativas
            </label>
          </fieldset>
          <p className="hint">Para remover licenças, inative antes os usuários em Membros e escolha “apenas as licenças ativas”.</p>
          <ErrorText id="renovacao-erro" error={action.error} />
          <button type="submit" disabled={action.busy} aria-describedby="renovacao-erro">
            Confirmar alterações
          </button>
        </form>
      )}
      <Done message={action.done} />
    </Section>
  );
}

function PaymentMethod({ plan, path, onDone, accountId }: { plan: Plan; path: Path; onDone: (p: Plan) => void; accountId: string }) {
  const [editing, setEditing] = useState(false);
  const [method, setMethod] = useState<"card" | "boleto">(plan.payment_method === "card" ? "card" : "boleto");
  const action = useAction();
  return (
    <Section title="Forma de pagamento">
      <p>
        Atual: <strong>{label(PAYMENT_METHOD, plan.payment_method)}</strong>
        {plan.card && plan.payment_method === "card" && (
          <>
            {" "}
            ({plan.card.brand.toUpperCase()} final {plan.card.last4}, validade {String(plan.card.exp_month).padStart(2, "0")}/
            {plan.card.exp_year})
          </>
        )}
      </p>
      {plan.pending_payment_method && (
        <p>
          A partir de {date(plan.pending_payment_method_from)}: {label(PAYMENT_METHOD, plan.pending_payment_method)}.
        </p>
      )}
      {plan.boleto_to_card_until && (
        <p className="hint">Troca de boleto para cartão possível até {date(plan.boleto_to_card_until)}.</p>
      )}
      {!editing ? (
        <button type="button" className="secondary" onClick={() => setEditing(true)} aria-label="Alterar a forma de pagamento">
          Alterar
        </button>
      ) : (
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            const next = await action.run(
              () =>
                unwrap(
                  api().PUT("/v1/accounts/{account_id}/subscriptions/{subscription_id}/payment-method", {
                    params: { path },
                    body: { payment_method: method },
                  }),
                ),
              "Forma de pagamento atualizada.",
            );
            if (next) {
              onDone(next);
              setEditing(false);
            }
          }}
        >
          <fieldset>
            <legend>Nova forma de pagamento</legend>
            <label className="inline">
              <input type="radio" name="forma-pgto" checked={method === "boleto"} onChange={() => setMethod("boleto")} />
              Boleto bancário
            </label>
            <label className="inline">
              <input type="radio" name="forma-pgto" checked={method === "card"} onChange={() => setMethod("card")} />
              Cartão de crédito
            </label>
          </fieldset>
          <p className="hint">
            O cartão é o único cartão da conta, cadastrado em <Link to={`/contas/${accountId}/configuracoes`}>Configurações</Link>.
          </p>
          <ErrorText id="forma-pgto-erro" error={action.error} />
          <button type="submit" disabled={action.busy} aria-describedby="forma-pgto-erro">
            Confirmar alterações
          </button>
        </form>
      )}
      <Done message={action.done} />
    </Section>
  );
}

function OpenInvoices({ plan, accountId }: { plan: Plan; accountId: string }) {
  const open = plan.open_invoices;
  return (
    <Section title="Faturas em aberto">
      {open.count === 0 ? (
        <p>Nenhuma fatura em aberto.</p>
      ) : (
        <>
          <p>
            {open.count} fatura{open.count === 1 ? "" : "s"} em aberto, total {brl(open.total_cents)}.
          </p>
          <ul className="plain">
            {open.items.map((item) => (
              <li key={item.id}>
                <Link to={`/contas/${accountId}/faturas?fatura=${encodeURIComponent(item.id)}`}>
                  Fatura com vencimento em {date(item.due_date)} — {brl(item.total_cents)} ({label(INVOICE_STATUS, item.status)})
                </Link>
              </li>
            ))}
          </ul>
        </>
      )}
      <p>
        <Link to={`/contas/${accountId}/faturas`}>Visualizar faturas</Link> ·{" "}
        <Link to={`/contas/${accountId}/pagamentos`}>Histórico de pagamentos</Link>
      </p>
    </Section>
  );
}

function ChangePlan({ plan, path, onDone }: { plan: Plan; path: Path; onDone: () => Promise<void> }) {
  const [open, setOpen] = useState(false);
  return (
    <Section title="Alterar meu plano">
      {!open ? (
        <button type="button" onClick={() => setOpen(true)}>
          Alterar meu plano
        </button>
      ) : (
        <ChangeForm plan={plan} path={path} onDone={onDone} />
      )}
    </Section>
  );
}

function ChangeForm({ plan, path, onDone }: { plan: Plan; path: Path; onDone: () => Promise<void> }) {
  const catalog = useLoad(() => unwrap(api().GET("/v1/catalog")), []);
  const [productId, setProductId] = useState(plan.product_id);
  const [periodicity, setPeriodicity] = useState<string>(plan.periodicity);
  const [quantity, setQuantity] = useState(plan.quantity);
  const [storage, setStorage] = useState(plan.storage_gb);
  const [method, setMethod] = useState<"card" | "boleto">(plan.payment_method === "card" ? "card" : "boleto");
  const [makeDefault, setMakeDefault] = useState(false);
  const [preview, setPreview] = useState<Schemas["ChangeOut"] | null>(null);
  const previewing = useAction();
  const confirming = useAction();
  if (catalog.error) return <LoadError error={catalog.error} />;
  if (!catalog.data) return <Loading />;
  const current = catalog.data.items.find((p) => p.id === plan.product_id);
  // Plans a subscription may move to: the same kind of product, contract and pricing (per seat or flat).
  const choices = catalog.data.items.filter(
    (p) => p.kind === (current?.kind ?? "subscription") && p.contract === current?.contract && p.pricing === current?.pricing,
  );
  const product = catalog.data.items.find((p) => p.id === productId) ?? current;
  const prices = (product?.prices ?? {}) as Record<string, number>;
  const hasStorage = Boolean(product?.addons?.includes("storage-gb"));
  const boletoAllowed = product ? product.boleto_periodicities.includes(periodicity as never) : true;
  const body: Schemas["ChangeIn"] = { payment_method: method, make_default: method === "card" && makeDefault };
  if (productId !== plan.product_id) body.product_id = productId;
  if (periodicity !== plan.periodicity) body.periodicity = periodicity as Schemas["Periodicity"];
  if (quantity !== plan.quantity) body.quantity = quantity;
  if (storage !== plan.storage_gb) body.storage_gb = storage;
  const changed = body.product_id || body.periodicity || body.quantity !== undefined || body.storage_gb !== undefined;
  const touched = () => {
    setPreview(null);
    previewing.setError(null);
    confirming.setDone(null);
  };
  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        const answer = await previewing.run(() =>
          unwrap(
            api().POST("/v1/accounts/{account_id}/subscriptions/{subscription_id}/changes/preview", {
              params: { path },
              body,
            }),
          ),
        );
        if (answer) setPreview(answer);
      }}
    >
      <div className="row">
        {choices.length > 1 && (
          <div>
            <label htmlFor="mudar-plano">Plano</label>
            <select
              id="mudar-plano"
              value={productId}
              onChange={(e) => {
                setProductId(e.target.value);
                touched();
              }}
            >
              {choices.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <div>
          <label htmlFor="mudar-periodicidade">Periodicidade do plano (ciclo de cobrança)</label>
          <select
            id="mudar-periodicidade"
            value={periodicity}
            onChange={(e) => {
              setPeriodicity(e.target.value);
              touched();
            }}
          >
            {Object.keys(prices).map((key) => (
              <option key={key} value={key}>
                {label(PERIODICITY, key)} — {brl(prices[key])}
                {key === plan.periodicity ? " (atual)" : ""}
              </option>
            ))}
          </select>
        </div>
        {product?.pricing === "per_seat" && (
          <div>
            <label htmlFor="mudar-licencas">Licenças</label>
            <input
              id="mudar-licencas"
              type="number"
              min={1}
              value={quantity}
              aria-describedby="mudar-licencas-ajuda"
              onChange={(e) => {
                setQuantity(Math.max(1, Number(e.target.value) || 1));
                touched();
              }}
            />
            <p id="mudar-licencas-ajuda" className="hint">
              Hoje: {plan.quantity} contratadas, {plan.licenses_used} em uso.
            </p>
          </div>
        )}
        {hasStorage && (
          <div>
            <label htmlFor="mudar-armazenamento">Espaço adicional para anexos (GB)</label>
            <input
              id="mudar-armazenamento"
              type="number"
              min={0}
              value={storage}
              aria-describedby="mudar-armazenamento-ajuda"
              onChange={(e) => {
                setStorage(Math.max(0, Number(e.target.value) || 0));
                touched();
              }}
            />
            <p id="mudar-armazenamento-ajuda" className="hint">
              Usado: {gigabytes(plan.storage_used_gb)} de {gigabytes(plan.storage_gb)} contratados.
            </p>
          </div>
        )}
      </div>
      <fieldset>
        <legend>Forma de pagamento deste pedido</legend>
        <label className="inline">
          <input
            type="radio"
            name="pedido-forma"
            checked={method === "boleto"}
            disabled={!boletoAllowed}
            onChange={() => {
              setMethod("boleto");
              touched();
            }}
          />
          Boleto bancário
        </label>
        <label className="inline">
          <input
            type="radio"
            name="pedido-forma"
            checked={method === "card"}
            onChange={() => {
              setMethod("card");
              touched();
            }}
          />
          Cartão de crédito
        </label>
        {!boletoAllowed && <p className="hint">Boleto não está disponível nesta periodicidade; use o cartão.</p>}
        {method === "card" && (
          <label className="inline">
            <input
              type="checkbox"
              checked={makeDefault}
              onChange={(e) => {
                setMakeDefault(e.target.checked);
                touched();
              }}
            />
            Tornar esta minha forma de pagamento padrão
          </label>
        )}
        <p className="hint">A forma escolhida vale só para este pedido, a menos que seja tornada padrão.</p>
      </fieldset>
      <ErrorText id="resumo-erro" error={previewing.error} />
      <button type="submit" disabled={previewing.busy || !changed} aria-describedby="resumo-erro">
        Ver resumo do pedido
      </button>
      {preview && (
        <div className="summary" aria-live="polite">
          <h3>Resumo do pedido</h3>
          <ChangeFigures change={preview} />
          <ErrorText id="confirmar-erro" error={confirming.error} />
          <button
            type="button"
            disabled={confirming.busy}
            aria-describedby="confirmar-erro"
            onClick={async () => {
              const applied = await confirming.run(
                () =>
                  unwrap(
                    api().POST("/v1/accounts/{account_id}/subscriptions/{subscription_id}/changes", {
                      params: { path },
                      body,
                    }),
                  ),
                (value) =>
                  value.invoice_id
                    ? `Alterações confirmadas. A cobrança de ${brl(value.amount_due_cents)} está em Faturas.`
                    : "Alterações confirmadas.",
              );
              if (applied) {
                setPreview(null);
                await onDone();
              }
            }}
          >
            Confirmar alterações
          </button>
        </div>
      )}
      <Done message={confirming.done} />
    </form>
  );
}

export function ChangeFigures({ change }: { change: Schemas["ChangeOut"] }) {
  return (
    <>
      <dl className="facts">
        <dt>Novo plano</dt>
        <dd>
          {label(PERIODICITY, change.periodicity)}, {change.quantity} licença{change.quantity === 1 ? "" : "s"}
          {change.storage_gb ? `, ${change.storage_gb} GB adicionais` : ""}
        </dd>
        <dt>Cobrança agora</dt>
        <dd data-valor="cobranca">{brl(change.charge_now_cents)}</dd>
        <dt>Crédito do período atual</dt>
        <dd data-valor="credito">{brl(change.credit_cents)}</dd>
        {change.account_credit_applied_cents > 0 && (
          <>
            <dt>Crédito da conta usado</dt>
            <dd>{brl(change.account_credit_applied_cents)}</dd>
          </>
        )}
        {change.account_credit_cents > 0 && (
          <>
            <dt>Sobra como crédito da conta</dt>
            <dd>{brl(change.account_credit_cents)}</dd>
          </>
        )}
        {(change.discount_cents ?? 0) > 0 && (
          <>
            <dt>Desconto de cupom (já na cobrança)</dt>
            <dd data-valor="desconto">{brl(change.discount_cents ?? 0)}</dd>
          </>
        )}
        <dt>Total a pagar agora</dt>
        <dd data-valor="total">{brl(change.amount_due_cents)}</dd>
        <dt>Nova data de renovação</dt>
        <dd data-valor="renovacao">{date(change.new_period_end)}</dd>
      </dl>
      {change.lines.length > 0 && (
        <ul className="plain lines">
          {change.lines.map((line, index) => (
            <li key={index}>
              {line.description}: {brl(line.amount_cents)}
            </li>
          ))}
        </ul>
      )}
      {change.next_period_invoice && (
        <div data-valor="proxima-fatura">
          <p>
            A fatura já emitida da próxima renovação é substituída por uma de {brl(change.next_period_invoice.total_cents)}, com
            vencimento em {date(change.next_period_invoice.due_date)}:
          </p>
          <ul className="plain lines">
            {change.next_period_invoice.lines.map((line, index) => (
              <li key={index}>
                {line.description}: {brl(line.amount_cents)}
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

// --- cancellation -------------------------------------------------------------------------------

type Quote = Schemas["CancellationQuoteOut"];

// What each kind of cancellation means, in the words of PRODUCT.md §8; the figures come from the API's
// quote (GET .../cancellation-quote), computed by the same rules as the cancel itself.
const WHAT_HAPPENS: Record<Quote["kind"], string> = {
  withdrawal: "Dentro de 7 dias da contratação ou renovação: o cancelamento vale na hora e o valor pago é devolvido.",
  at_period_end: "A renovação automática para; a assinatura segue até o fim do período atual.",
  after_next_period:
    "Faltam menos de 30 dias para a renovação: ela ainda será cobrada e o cancelamento vale no fim do próximo período.",
  early_termination: "Contrato com fidelidade ou parcelas: o restante do contrato é cobrado e a assinatura segue até o fim do período atual.",
  trial: "No período de teste: o cancelamento vale na hora e nada é cobrado.",
};

function Cancel({ plan, path, onDone }: { plan: Plan; path: Path; onDone: () => Promise<void> }) {
  const [asking, setAsking] = useState(false);
  const [quote, setQuote] = useState<Quote | null>(null);
  const [reason, setReason] = useState("");
  const [answer, setAnswer] = useState<Schemas["CancelOut"] | null>(null);
  const starting = useAction();
  const cancelling = useAction();
  const undoing = useAction();
  if (plan.status === "pending_cancellation" || (answer && answer.status === "pending_cancellation")) {
    return (
      <Section title="Cancelamento">
        {answer ? <CancelAnswer answer={answer} /> : <p>O cancelamento desta assinatura está agendado.</p>}
        <ErrorText id="desfazer-erro" error={undoing.error} />
        <button
          type="button"
          className="secondary"
          disabled={undoing.busy}
          aria-describedby="desfazer-erro"
          onClick={async () => {
            const back = await undoing.run(
              () => unwrap(api().POST("/v1/accounts/{account_id}/subscriptions/{subscription_id}/reactivate", { params: { path } })),
              "Cancelamento desfeito: a assinatura volta a renovar.",
            );
            if (back) {
              setAnswer(null);
              setAsking(false);
              await onDone();
            }
          }}
        >
          Desfazer cancelamento
        </button>
        <Done message={undoing.done} />
      </Section>
    );
  }
  if (plan.status === "cancelled" || answer) {
    return (
      <Section title="Cancelamento">
        {answer ? <CancelAnswer answer={answer} /> : <p>Esta assinatura está cancelada.</p>}
      </Section>
    );
  }
  return (
    <Section title="Cancelar assinatura">
      <Done message={undoing.done} />
      {!asking ? (
        <>
          <ErrorText id="cancelar-inicio-erro" error={starting.error} />
          <button
            type="button"
            className="danger"
            aria-describedby="cancelar-inicio-erro"
            onClick={async () => {
              const answer = await starting.run(() =>
                unwrap(api().GET("/v1/accounts/{account_id}/subscriptions/{subscription_id}/cancellation-quote", { params: { path } })),
              );
              if (answer) {
                setQuote(answer);
                setAsking(true);
              }
            }}
          >
            Cancelar assinatura
          </button>
        </>
      ) : (
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            const result = await cancelling.run(() =>
              unwrap(
                api().POST("/v1/accounts/{account_id}/subscriptions/{subscription_id}/cancel", {
                  params: { path },
                  body: { reason },
                }),
              ),
            );
            if (result) {
              setAnswer(result);
              setAsking(false);
              await onDone();
            }
          }}
        >
          {quote && (
            <div className="summary" data-kind={quote.kind}>
              <h3>O que vai acontecer</h3>
              <p>{WHAT_HAPPENS[quote.kind]}</p>
              <dl className="facts">
                <dt>Passa a valer em</dt>
                <dd data-valor="efeito">{date(quote.effective_date)}</dd>
                <dt>Estorno</dt>
                <dd data-valor="estorno">{brl(quote.refund_cents)}</dd>
                <dt>Valor ainda devido</dt>
                <dd data-valor="devido">{brl(quote.amount_owed_cents)}</dd>
                {(quote.commitment_months_billed ?? 0) > 0 && quote.commitment_ends_on && (
                  <>
                    <dt>Fidelidade</dt>
                    <dd data-valor="fidelidade">
                      {quote.commitment_months_billed} mês(es) restante(s) cobrado(s), até {date(quote.commitment_ends_on)}
                    </dd>
                  </>
                )}
                {(quote.voided_invoice_ids ?? []).length > 0 && (
                  <>
                    <dt>Faturas anuladas</dt>
                    <dd data-valor="anuladas">{quote.voided_invoice_ids?.length}</dd>
                  </>
                )}
                {quote.undo_until && (
                  <>
                    <dt>Pode ser desfeito até</dt>
                    <dd>{date(quote.undo_until)}</dd>
                  </>
                )}
              </dl>
              <p className="hint">Valores de hoje; a confirmação traz os valores finais.</p>
            </div>
          )}
          <label htmlFor="cancelar-motivo">Motivo do cancelamento</label>
          <textarea id="cancelar-motivo" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} required />
          <ErrorText id="cancelar-erro" error={cancelling.error} />
          <div className="buttons">
            <button type="submit" className="danger" disabled={cancelling.busy} aria-describedby="cancelar-erro">
              Confirmar cancelamento
            </button>
            <button type="button" className="secondary" onClick={() => setAsking(false)}>
              Voltar
            </button>
          </div>
        </form>
      )}
    </Section>
  );
}

function CancelAnswer({ answer }: { answer: Schemas["CancelOut"] }) {
  return (
    <div role="status">
      <p>
        {answer.status === "cancelled"
          ? "Assinatura cancelada."
          : `Cancelamento agendado para ${date(answer.effective_date)}.`}
      </p>
      <dl className="facts">
        <dt>Passa a valer em</dt>
        <dd>{date(answer.effective_date)}</dd>
        <dt>Estorno</dt>
        <dd>{brl(answer.refund_cents)}</dd>
        <dt>Valor ainda devido</dt>
        <dd>{brl(answer.amount_owed_cents)}</dd>
        {answer.undo_until && (
          <>
            <dt>Pode ser desfeito até</dt>
            <dd>{date(answer.undo_until)}</dd>
          </>
        )}
      </dl>
    </div>
  );
}
