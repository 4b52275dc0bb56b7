// Meu Plano's Pix Automático: the authorisation's state comes with the plan (no extra call); the QR the
// customer scans in their bank app comes from POST (a new authorisation) or, for one still waiting,
// from GET when asked. Approval, rejection and expiry arrive from the PSP, so the state shown is the
// plan's as loaded; "Atualizar" reads it again.
import { useMemo, useState } from "react";
import { renderSVG } from "uqr";
import { api, unwrap, type Schemas } from "../api/client";
import { brl, dateAndTime } from "../format";
import { CopyButton, Done, ErrorText, Section, useAction } from "./ui";

type Plan = Schemas["PlanOut"];
type Authorisation = Schemas["PixAutomaticoOut"];
type Path = { account_id: string; subscription_id: string };

const STATE: Record<string, string> = {
  CRIADA: "Aguardando a sua aprovação no app do banco.",
  APROVADA: "Autorizado: as próximas renovações são cobradas pelo Pix Automático, sem boleto.",
  REJEITADA: "Recusado no app do banco. As renovações seguem na forma de pagamento atual.",
  EXPIRADA: "O pedido expirou sem aprovação. As renovações seguem na forma de pagamento atual.",
  CANCELADA: "Autorização cancelada.",
};

export function PixAutomatico({ plan, path, mayChange, onChanged }: {
  plan: Plan; path: Path; mayChange: boolean; onChanged: () => Promise<void>;
}) {
  const [shown, setShown] = useState<Authorisation | null>(null);
  const action = useAction();
  const state = plan.pix_automatico;
  const url = "/v1/accounts/{account_id}/subscriptions/{subscription_id}/pix-automatico" as const;
  const live = state?.status === "CRIADA" || state?.status === "APROVADA";
  const canAsk = mayChange && plan.status !== "cancelled" && !live;
  return (
    <Section title="Pix Automático">
      <p className="hint">
        Autorize uma vez no app do seu banco e cada renovação é debitada por Pix, sem boleto e sem cartão.
      </p>
      {state ? (
        <p data-pix-automatico={state.status}>
          <strong>{STATE[state.status]}</strong>
          {state.status_changed_at && <> (desde {dateAndTime(state.status_changed_at)})</>}
        </p>
      ) : (
        <p>Não autorizado.</p>
      )}
      {shown && shown.status === "CRIADA" && <Qr authorisation={shown} />}
      <div className="buttons">
        {canAsk && (
          <button
            type="button"
            disabled={action.busy}
            aria-describedby="pix-automatico-erro"
            onClick={async () => {
              const made = await action.run(() => unwrap(api().POST(url, { params: { path } })),
                "Pedido criado: leia o QR Code no app do seu banco.");
              if (made) {
                setShown(made);
                await onChanged();
              }
            }}
          >
            Autorizar Pix Automático
          </button>
        )}
        {mayChange && state?.status === "CRIADA" && !shown && (
          <button
            type="button"
            className="secondary"
            disabled={action.busy}
            onClick={async () => {
              const read = await action.run(() => unwrap(api().GET(url, { params: { path } })));
              if (read) setShown(read);
            }}
          >
            Mostrar QR Code
          </button>
        )}
        {state?.status === "CRIADA" && (
          <button type="button" className="secondary" disabled={action.busy} onClick={() => void onChanged()}>
            Atualizar
          </button>
        )}
        {mayChange && live && (
          <button
            type="button"
            className="secondary"
            disabled={action.busy}
            aria-describedby="pix-automatico-erro"
            onClick={async () => {
              const ended = await action.run(() => unwrap(api().DELETE(url, { params: { path } })),
                "Autorização do Pix Automático cancelada.");
              if (ended) {
                setShown(null);
                await onChanged();
              }
            }}
          >
            Cancelar autorização
          </button>
        )}
      </div>
      <ErrorText id="pix-automatico-erro" error={action.error} />
      <Done message={action.done} />
    </Section>
  );
}

function Qr({ authorisation }: { authorisation: Authorisation }) {
  const payload = authorisation.qr_payload ?? "";
  const svg = useMemo(() => (payload ? renderSVG(payload, { border: 2 }) : ""), [payload]);
  if (!payload) return null;
  return (
    <div className="pix">
      {authorisation.journey === "JORNADA_3" && authorisation.first_payment_cents != null && (
        <p data-valor="pagamento-agora">
          Este QR Code também paga agora a fatura em aberto desta assinatura: {brl(authorisation.first_payment_cents)}.
        </p>
      )}
      <img src={`data:image/svg+xml;utf8,${encodeURIComponent(svg)}`} width={180} height={180}
        alt="QR Code para autorizar o Pix Automático no app do banco" />
      <div>
        <label htmlFor="pix-automatico-copia-cola">Pix copia e cola da autorização</label>
        <textarea id="pix-automatico-copia-cola" readOnly rows={3} value={payload} className="mono" />
        <CopyButton text={payload} label="Copiar código da autorização" copiedLabel="Código copiado." />
      </div>
    </div>
  );
}
