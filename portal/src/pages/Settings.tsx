// "Configurações": dados de faturamento (CPF/CNPJ and CEP checked as typed), renovação de assinaturas
// (due day 08/15/22 and the default payment method) and the account's single card.
import { useState } from "react";
import { api, unwrap, type Schemas } from "../api/client";
import { useAccount, type Account } from "../account";
import { AccountPage } from "../components/AccountPage";
import { Done, ErrorText, Section, useAction, useLoad } from "../components/ui";
import { cepProblem, digits, documentProblem, emailsProblem, formatCep, formatDocument } from "../validation";
import { tokenizeCard } from "../card";

export function Settings() {
  return (
    <AccountPage title="Configurações">
      {(account) => (
        <div className="grid">
          <BillingData account={account} />
          <RenewalSettings account={account} />
          <Card account={account} />
        </div>
      )}
    </AccountPage>
  );
}

function BillingData({ account }: { account: Account }) {
  const { reload } = useAccount();
  const data = account.billing_data;
  const [legalName, setLegalName] = useState(data?.legal_name ?? "");
  const [documentNumber, setDocument] = useState(formatDocument(data?.document ?? ""));
  const [stateRegistration, setStateRegistration] = useState(data?.state_registration ?? "");
  const [cep, setCep] = useState(formatCep(data?.address.cep ?? ""));
  const [street, setStreet] = useState(data?.address.street ?? "");
  const [number, setNumber] = useState(data?.address.number ?? "");
  const [complement, setComplement] = useState(data?.address.complement ?? "");
  const [district, setDistrict] = useState(data?.address.district ?? "");
  const [city, setCity] = useState(data?.address.city ?? "");
  const [state, setState] = useState(data?.address.state ?? "");
  const [emails, setEmails] = useState((data?.billing_emails ?? []).join(", "));
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const action = useAction();
  const emailList = emails.split(/[,;\s]+/).filter(Boolean);
  const problems = {
    documento: documentProblem(documentNumber),
    cep: cepProblem(cep),
    emails: emailsProblem(emailList),
  };
  const show = (field: keyof typeof problems) => (touched[field] ? problems[field] : null);
  const touch = (field: string) => setTouched((t) => ({ ...t, [field]: true }));
  return (
    <Section title="Dados de faturamento">
      <p className="hint">Vão no boleto e na nota fiscal. O proprietário sempre recebe os e-mails de cobrança também.</p>
      <form
        noValidate
        onSubmit={async (event) => {
          event.preventDefault();
          setTouched({ documento: true, cep: true, emails: true });
          if (problems.documento || problems.cep || problems.emails) {
            action.setError("Corrija os campos destacados.");
            return;
          }
          const saved = await action.run(
            () =>
              unwrap(
                api().PUT("/v1/accounts/{account_id}/billing-data", {
                  params: { path: { account_id: account.id } },
                  body: {
                    legal_name: legalName,
                    document: digits(documentNumber),
                    state_registration: stateRegistration || null,
                    address: { street, number, complement: complement || null, district, city, state, cep: digits(cep) },
                    billing_emails: emailList,
                  },
                }),
              ),
            "Dados de faturamento salvos.",
          );
          if (saved) await reload();
        }}
      >
        <label htmlFor="razao-social">Nome ou razão social</label>
        <input id="razao-social" value={legalName} onChange={(e) => setLegalName(e.target.value)} required autoComplete="organization" />
        <div className="row">
          <div>
            <label htmlFor="documento">CPF ou CNPJ</label>
            <input
              id="documento"
              inputMode="numeric"
              value={documentNumber}
              onChange={(e) => {
                setDocument(formatDocument(e.target.value));
                if (digits(e.target.value).length >= 11) touch("documento");
              }}
              onBlur={() => touch("documento")}
              aria-invalid={Boolean(show("documento"))}
              aria-describedby="documento-erro"
              required
            />
            <ErrorText id="documento-erro" error={show("documento")} />
          </div>
          <div>
            <label htmlFor="inscricao-estadual">Inscrição estadual (opcional)</label>
            <input id="inscricao-estadual" value={stateRegistration} onChange={(e) => setStateRegistration(e.target.value)} />
          </div>
        </div>
        <div className="row">
          <div>
            <label htmlFor="cep">CEP</label>
            <input
              id="cep"
              inputMode="numeric"
              value={cep}
              autoComplete="postal-code"
              onChange={(e) => {
                setCep(formatCep(e.target.value));
                if (digits(e.target.value).length >= 8) touch("cep");
              }}
              onBlur={() => touch("cep")}
              aria-invalid={Boolean(show("cep"))}
              aria-describedby="cep-erro"
              required
            />
            <ErrorText id="cep-erro" error={show("cep")} />
          </div>
          <div>
            <label htmlFor="logradouro">Logradouro</label>
            <input id="logradouro" value={street} onChange={(e) => setStreet(e.target.value)} required autoComplete="address-line1" />
          </div>
          <div>
            <label htmlFor="numero">Número</label>
            <input id="numero" value={number} onChange={(e) => setNumber(e.target.value)} required />
          </div>
        </div>
        <div className="row">
          <div>
            <label htmlFor="complemento">Complemento</label>
            <input id="complemento" value={complement} onChange={(e) => setComplement(e.target.value)} />
          </div>
          <div>
            <label htmlFor="bairro">Bairro</label>
            <input id="bairro" value={district} onChange={(e) => setDistrict(e.target.value)} required />
          </div>
          <div>
            <label htmlFor="cidade">Cidade</label>
            <input id="cidade" value={city} onChange={(e) => setCity(e.target.value)} required autoComplete="address-level2" />
          </div>
          <div>
            <label htmlFor="uf">UF</label>
            <input id="uf" value={state} maxLength={2} onChange={(e) => setState(e.target.value.toUpperCase())} required autoComplete="address-level1" />
          </div>
        </div>
        <label htmlFor="emails-cobranca">E-mails de cobrança</label>
        <input
          id="emails-cobranca"
          value={emails}
          onChange={(e) => setEmails(e.target.value)}
          onBlur={() => touch("emails")}
          aria-invalid={Boolean(show("emails"))}
          aria-describedby="emails-ajuda emails-erro"
        />
        <p id="emails-ajuda" className="hint">Separe os e-mails por vírgula.</p>
        <ErrorText id="emails-erro" error={show("emails")} />
        <ErrorText id="faturamento-erro" error={action.error} />
        <button type="submit" disabled={action.busy} aria-describedby="faturamento-erro">
          Salvar dados de faturamento
        </button>
        <Done message={action.done} />
      </form>
    </Section>
  );
}

function RenewalSettings({ account }: { account: Account }) {
  const { reload } = useAccount();
  const [dueDay, setDueDay] = useState<number>(account.due_day ?? 15);
  const [method, setMethod] = useState<string>(account.default_payment_method ?? "boleto");
  const [notFollowing, setNotFollowing] = useState<Schemas["NotFollowingOut"][]>([]);
  const action = useAction();
  return (
    <Section title="Renovação de assinaturas">
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const saved = await action.run(
            () =>
              unwrap(
                api().PUT("/v1/accounts/{account_id}/billing-settings", {
                  params: { path: { account_id: account.id } },
                  body: { due_day: dueDay as 8 | 15 | 22, default_payment_method: method as Schemas["PaymentMethod"] },
                }),
              ),
            dueDay !== account.due_day
              ? `Salvo. O vencimento no dia ${String(dueDay).padStart(2, "0")} passa a valer a partir do próximo mês.`
              : "Salvo.",
          );
          if (saved) {
            setNotFollowing(saved.subscriptions_not_following ?? []);
            await reload();
          }
        }}
      >
        <fieldset>
          <legend>Data de vencimento</legend>
          {[8, 15, 22].map((day) => (
            <label className="inline" key={day}>
              <input type="radio" name="vencimento" value={day} checked={dueDay === day} onChange={() => setDueDay(day)} />
              Dia {String(day).padStart(2, "0")}
            </label>
          ))}
          <p className="hint">A alteração da data de vencimento entra em vigor somente no próximo mês.</p>
        </fieldset>
        <fieldset>
          <legend>Forma de pagamento das renovações</legend>
          <label className="inline">
            <input type="radio" name="forma-padrao" checked={method === "boleto"} onChange={() => setMethod("boleto")} />
            Boleto bancário
          </label>
          <label className="inline">
            <input type="radio" name="forma-padrao" checked={method === "card"} onChange={() => setMethod("card")} />
            Cartão de crédito
          </label>
          <p className="hint">O boleto é gerado 7 dias antes do vencimento e enviado aos e-mails de cobrança.</p>
        </fieldset>
        <ErrorText id="renovacao-conta-erro" error={action.error} />
        <button type="submit" disabled={action.busy} aria-describedby="renovacao-conta-erro">
          Salvar
        </button>
        <Done message={action.done} />
        {notFollowing.length > 0 && (
          <ul className="plain notice">
            {notFollowing.map((item) => (
              <li key={item.subscription_id}>{item.message}</li>
            ))}
          </ul>
        )}
      </form>
    </Section>
  );
}

function Card({ account }: { account: Account }) {
  // There is no "read the card" route: the card shows on a subscription's plan (PlanOut.card), so the
  // first subscription's plan tells it, when there is one.
  const known = useLoad(async () => {
    const list = await unwrap(
      api().GET("/v1/accounts/{account_id}/subscriptions", { params: { path: { account_id: account.id }, query: { limit: 1 } } }),
    );
    if (!list.items.length) return null;
    const plan = await unwrap(
      api().GET("/v1/accounts/{account_id}/subscriptions/{subscription_id}", {
        params: { path: { account_id: account.id, subscription_id: list.items[0].id } },
      }),
    );
    return plan.card ?? null;
  }, [account.id]);
  const [card, setCard] = useState<Schemas["CardSummaryOut"] | null | undefined>(undefined);
  const shown = card === undefined ? known.data : card;
  const [number, setNumber] = useState("");
  const [holder, setHolder] = useState("");
  const [expiry, setExpiry] = useState("");
  const [cvc, setCvc] = useState("");
  const save = useAction();
  const remove = useAction();
  return (
    <Section title="Cartão de crédito">
      <p className="hint">A conta tem um único cartão: trocá-lo muda o cartão de todas as assinaturas pagas com cartão.</p>
      {shown ? (
        <p data-cartao={shown.last4}>
          Cartão cadastrado: <strong>{shown.brand.toUpperCase()} final {shown.last4}</strong>, validade{" "}
          {String(shown.exp_month).padStart(2, "0")}/{shown.exp_year}
        </p>
      ) : (
        <p>Nenhum cartão cadastrado.</p>
      )}
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const saved = await save.run(async () => {
            const token = await tokenizeCard({ number, holder, expiry, cvc });
            return unwrap(api().PUT("/v1/accounts/{account_id}/card", { params: { path: { account_id: account.id } }, body: token }));
          }, "Cartão salvo.");
          if (saved) {
            setCard({ brand: saved.brand, last4: saved.last4, exp_month: saved.exp_month, exp_year: saved.exp_year });
            setNumber("");
            setCvc("");
          }
        }}
      >
        <div className="row">
          <div>
            <label htmlFor="cartao-numero">Número do cartão</label>
            <input id="cartao-numero" inputMode="numeric" autoComplete="cc-number" value={number} onChange={(e) => setNumber(e.target.value)} required />
          </div>
          <div>
            <label htmlFor="cartao-nome">Nome no cartão</label>
            <input id="cartao-nome" autoComplete="cc-name" value={holder} onChange={(e) => setHolder(e.target.value)} required />
          </div>
          <div>
            <label htmlFor="cartao-validade">Validade (MM/AA)</label>
            <input id="cartao-validade" autoComplete="cc-exp" placeholder="MM/AA" value={expiry} onChange={(e) => setExpiry(e.target.value)} required />
          </div>
          <div>
            <label htmlFor="cartao-cvc">Código de segurança</label>
            <input id="cartao-cvc" inputMode="numeric" autoComplete="cc-csc" value={cvc} onChange={(e) => setCvc(e.target.value)} required />
          </div>
        </div>
        <p className="hint">O número do cartão vai direto para o gateway de pagamento; aqui guardamos só a bandeira e os 4 últimos dígitos.</p>
        <ErrorText id="cartao-erro" error={save.error} />
        <button type="submit" disabled={save.busy} aria-describedby="cartao-erro">
          {shown ? "Substituir cartão" : "Cadastrar cartão"}
        </button>
        <Done message={save.done} />
      </form>
      {shown && (
        <>
          <ErrorText id="cartao-remover-erro" error={remove.error} />
          <button
            type="button"
            className="danger"
            disabled={remove.busy}
            aria-describedby="cartao-remover-erro"
            onClick={async () => {
              const removed = await remove.run(
                () => unwrap(api().DELETE("/v1/accounts/{account_id}/card", { params: { path: { account_id: account.id } } })),
                "Cartão removido.",
              );
              if (removed) setCard(null);
            }}
          >
            Remover cartão
          </button>
          <Done message={remove.done} />
        </>
      )}
    </Section>
  );
}
