// "Licenças do lote": a partner's batch of licenses — assign each to a client, substitute the client
// (a new blank account), transfer the billing to the client, or cancel the license.
import { useState } from "react";
import { useParams } from "react-router-dom";
import { api, unwrap, type Schemas } from "../api/client";
import { AccountPage } from "../components/AccountPage";
import { Done, ErrorText, LoadError, Loading, useAction, useLoad } from "../components/ui";
import { brl, date, label, SUBSCRIPTION_STATUS } from "../format";

type License = Schemas["LicenseOut"];
const STATUS: Record<string, string> = { available: "Disponível", assigned: "Em uso", leaving: "Saindo do lote", left: "Fora do lote" };
const LEAVE: Record<string, string> = { transfer: "transferência de titularidade", cancel: "cancelamento", batch_ended: "fim do lote" };

export function Batch() {
  return (
    <AccountPage title="Licenças do lote">
      {(account, allowed) => <BatchBody accountId={account.id} manage={allowed.planChange} />}
    </AccountPage>
  );
}

function BatchBody({ accountId, manage }: { accountId: string; manage: boolean }) {
  const { subscriptionId } = useParams();
  const batch = useLoad(
    () =>
      unwrap(
        api().GET("/v1/accounts/{account_id}/batches/{subscription_id}/licenses", {
          params: { path: { account_id: accountId, subscription_id: subscriptionId! }, query: { limit: 100 } },
        }),
      ),
    [accountId, subscriptionId],
  );
  if (batch.error) return <LoadError error={batch.error} />;
  if (!batch.data) return <Loading />;
  const b = batch.data;
  return (
    <>
      <p>
        {b.quantity} licença{b.quantity === 1 ? "" : "s"} · {label(SUBSCRIPTION_STATUS, b.status)} · período atual até {date(b.current_period_end)}.
        Cancelamentos pedidos com menos de 30 dias da renovação ainda são cobrados uma vez.
      </p>
      <ul className="plain licenses">
        {b.items.map((license, index) => (
          <LicenseCard
            key={license.id}
            number={index + 1}
            license={license}
            manage={manage}
            path={{ account_id: accountId, subscription_id: subscriptionId!, license_id: license.id }}
            onDone={batch.reload}
          />
        ))}
      </ul>
    </>
  );
}

type Path = { account_id: string; subscription_id: string; license_id: string };
type Mode = "assign" | "substitute" | "transfer" | "cancel" | null;

function LicenseCard({ number, license, manage, path, onDone }: { number: number; license: License; manage: boolean; path: Path; onDone: () => Promise<void> }) {
  const [mode, setMode] = useState<Mode>(null);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [reason, setReason] = useState("");
  const action = useAction();
  const title = `Licença ${number}`;
  const base = `licenca-${number}`;
  const submit = async () => {
    const byMode = {
      assign: () =>
        unwrap(api().POST("/v1/accounts/{account_id}/batches/{subscription_id}/licenses/{license_id}/assign", { params: { path }, body: { name, owner_email: email } })).then(
          () => `Licença atribuída a ${name}.`,
        ),
      substitute: () =>
        unwrap(api().POST("/v1/accounts/{account_id}/batches/{subscription_id}/licenses/{license_id}/substitute", { params: { path }, body: { name, owner_email: email } })).then(
          (value) => `Cliente substituído. A conta anterior foi cancelada${value.previous_client_purge_on ? ` e seus dados ficam guardados até ${date(value.previous_client_purge_on)}` : ""}.`,
        ),
      transfer: () =>
        unwrap(api().POST("/v1/accounts/{account_id}/batches/{subscription_id}/licenses/{license_id}/transfer", { params: { path } })).then(
          (value) => `Titularidade transferida: o cliente passa a pagar a partir de ${date(value.client_billed_from)}; o lote terá ${value.batch_quantity_from_renewal} licença${value.batch_quantity_from_renewal === 1 ? "" : "s"} na renovação.`,
        ),
      cancel: () =>
        unwrap(api().POST("/v1/accounts/{account_id}/batches/{subscription_id}/licenses/{license_id}/cancel", { params: { path }, body: { reason } })).then(
          (value) =>
            value.billed_once_more
              ? `Licença cancelada. Ela ainda é cobrada uma vez (${brl(value.amount_owed_cents)}), de ${date(value.billed_period_start)} a ${date(value.billed_period_end)}.`
              : `Licença cancelada; sai do lote em ${date(value.leaves_on)}.`,
        ),
    };
    if (!mode) return;
    const message = await action.run(byMode[mode], (text) => text);
    if (message) {
      setMode(null);
      await onDone();
    }
  };
  const needsClient = mode === "assign" || mode === "substitute";
  return (
    <li className="card license" aria-labelledby={`${base}-titulo`}>
      <h2 id={`${base}-titulo`}>{title}</h2>
      <p>
        <span data-status={license.status}>{label(STATUS, license.status)}</span>
        {license.client_name && <> · Cliente: <strong>{license.client_name}</strong></>}
        {license.assigned_on && <> · desde {date(license.assigned_on)}</>}
        {license.leaves_on && (
          <>
            {" "}
            · sai do lote em {date(license.leaves_on)} ({label(LEAVE, license.leave_reason ?? "")})
          </>
        )}
      </p>
      {manage && !mode && (
        <div className="buttons">
          {license.status === "available" && (
            <button type="button" className="secondary" onClick={() => setMode("assign")} aria-label={`Atribuir a um cliente (${title})`}>
              Atribuir a um cliente
            </button>
          )}
          {license.status === "assigned" && (
            <>
              <button type="button" className="secondary" onClick={() => setMode("substitute")} aria-label={`Substituir cliente (${title})`}>
                Substituir cliente
              </button>
              <button type="button" className="secondary" onClick={() => setMode("transfer")} aria-label={`Alterar responsável pela assinatura (${title})`}>
                Alterar responsável pela assinatura
              </button>
            </>
          )}
          {(license.status === "assigned" || license.status === "available") && (
            <button type="button" className="danger" onClick={() => setMode("cancel")} aria-label={`Cancelar licença (${title})`}>
              Cancelar licença
            </button>
          )}
        </div>
      )}
      {mode && (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          {needsClient && (
            <div className="row">
              <div>
                <label htmlFor={`${base}-nome`}>Nome do cliente</label>
                <input id={`${base}-nome`} value={name} onChange={(e) => setName(e.target.value)} required />
              </div>
              <div>
                <label htmlFor={`${base}-email`}>E-mail do responsável do cliente</label>
                <input id={`${base}-email`} type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
              </div>
            </div>
          )}
          {mode === "substitute" && <p className="hint">A nova conta é criada do zero; a conta antiga é cancelada e seus dados ficam guardados por 90 dias.</p>}
          {mode === "transfer" && <p className="hint">A licença sai do lote e o cliente passa a contratar e pagar diretamente, a partir do fim do período atual do lote.</p>}
          {mode === "cancel" && (
            <>
              <label htmlFor={`${base}-motivo`}>Motivo do cancelamento</label>
              <textarea id={`${base}-motivo`} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} required />
            </>
          )}
          <ErrorText id={`${base}-erro`} error={action.error} />
          <div className="buttons">
            <button type="submit" disabled={action.busy} aria-describedby={`${base}-erro`}>
              {mode === "assign" ? "Atribuir" : mode === "substitute" ? "Substituir cliente" : mode === "transfer" ? "Transferir titularidade" : "Confirmar cancelamento"}
            </button>
            <button type="button" className="secondary" onClick={() => setMode(null)}>
              Voltar
            </button>
          </div>
        </form>
      )}
      <Done message={action.done} />
    </li>
  );
}
