// "Licenças" on Meu Plano (owner and admin): the license keys of a desktop product's seats, each with
// a copy button, the machines its program activated it on, and "Desativar" to free a machine's slot
// (docs/licensing.md). Renders nothing for a product without license keys.
import { api, unwrap, type Schemas } from "../api/client";
import { CopyButton, Done, ErrorText, LoadError, Section, slug, useAction, useLoad } from "./ui";
import { dateAndTime } from "../format";

type LicenseKey = Schemas["LicenseKeyOut"];

export function LicenseKeys({ accountId, subscriptionId }: { accountId: string; subscriptionId: string }) {
  const keys = useLoad(
    () => unwrap(api().GET("/v1/accounts/{account_id}/licenses", { params: { path: { account_id: accountId } } })),
    [accountId],
  );
  if (keys.error) return <LoadError error={keys.error} />;
  const mine = (keys.data?.items ?? []).filter((k) => k.subscription_id === subscriptionId && k.status === "active");
  if (mine.length === 0) return null;
  const replace = (next: LicenseKey) =>
    keys.setData({ items: (keys.data?.items ?? []).map((k) => (k.id === next.id ? next : k)) });
  return (
    <Section title="Licenças" id="chaves-de-licenca">
      <p className="hint">
        Cada licença tem uma chave, ativada pelo programa em até {mine[0].machines_per_license} máquina
        {mine[0].machines_per_license === 1 ? "" : "s"} ao mesmo tempo.
      </p>
      <ul className="plain licenses">
        {mine.map((key) => (
          <KeyItem key={key.id} accountId={accountId} licenseKey={key} onDone={replace} />
        ))}
      </ul>
    </Section>
  );
}

function KeyItem({ accountId, licenseKey, onDone }: { accountId: string; licenseKey: LicenseKey; onDone: (k: LicenseKey) => void }) {
  const action = useAction();
  const base = `chave-${slug(licenseKey.id)}`;
  const deactivate = (fingerprint: string, name: string) =>
    action.run(
      async () =>
        onDone(
          await unwrap(
            api().POST("/v1/accounts/{account_id}/licenses/{license_id}/deactivate", {
              params: { path: { account_id: accountId, license_id: licenseKey.id } },
              body: { fingerprint },
            }),
          ),
        ),
      `Máquina ${name} desativada; a vaga está livre.`,
    );
  return (
    <li className="card license" aria-labelledby={`${base}-titulo`}>
      <h3 id={`${base}-titulo`}>Licença {licenseKey.seat}</h3>
      <p>
        <code>{licenseKey.key}</code>{" "}
        <CopyButton text={licenseKey.key} label={`Copiar chave da licença ${licenseKey.seat}`} copiedLabel="Chave copiada." />
      </p>
      {licenseKey.machines.length === 0 ? (
        <p className="hint">Nenhuma máquina ativada.</p>
      ) : (
        <ul className="plain">
          {licenseKey.machines.map((machine) => {
            const name = machine.name ?? machine.fingerprint;
            return (
              <li key={machine.fingerprint}>
                {name} — ativada em {dateAndTime(machine.activated_at)}
                {machine.last_seen_at ? `, última verificação em ${dateAndTime(machine.last_seen_at)}` : ""}{" "}
                <button
                  type="button"
                  className="secondary"
                  disabled={action.busy}
                  aria-describedby={`${base}-erro`}
                  onClick={() => void deactivate(machine.fingerprint, name)}
                  aria-label={`Desativar a máquina ${name} (licença ${licenseKey.seat})`}
                >
                  Desativar
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <ErrorText id={`${base}-erro`} error={action.error} />
      <Done message={action.done} />
    </li>
  );
}
