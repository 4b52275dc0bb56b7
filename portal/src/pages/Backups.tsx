// "Backups": schedule a backup (generated off business hours, 19h–04h) and download it within its window.
import { useState } from "react";
import { api, unwrap } from "../api/client";
import { AccountPage } from "../components/AccountPage";
import { Done, ErrorText, LoadError, Loading, Section, useAction, useLoad } from "../components/ui";
import { dateAndTime, label } from "../format";

const STATUS: Record<string, string> = { scheduled: "Agendado", ready: "Pronto para download", expired: "Expirado" };

function bytes(size: number | null | undefined): string {
  if (!size) return "—";
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toLocaleString("pt-BR", { maximumFractionDigits: 1 })} KB`;
  return `${(size / 1024 / 1024).toLocaleString("pt-BR", { maximumFractionDigits: 1 })} MB`;
}

export function Backups() {
  return (
    <AccountPage
      title="Backups"
      intro="O backup é um ZIP de planilhas CSV com os dados da conta. É gerado fora do horário comercial, entre 19h e 04h, e você recebe um e-mail quando estiver pronto."
    >
      {(account, allowed) => <BackupsBody accountId={account.id} owner={allowed.backupOwner} />}
    </AccountPage>
  );
}

function BackupsBody({ accountId, owner }: { accountId: string; owner: boolean }) {
  const list = useLoad(
    () => unwrap(api().GET("/v1/accounts/{account_id}/backups", { params: { path: { account_id: accountId }, query: { limit: 50 } } })),
    [accountId],
  );
  return (
    <div className="grid">
      {owner ? <Schedule accountId={accountId} onDone={list.reload} /> : <p className="notice">Só o proprietário da conta agenda e baixa backups.</p>}
      <Section title="Backups da conta">
        <p className="hint">Nos dias úteis o download não está disponível entre 05h e 19h. Os arquivos expiram 7 dias depois de prontos.</p>
        {list.error ? <LoadError error={list.error} /> : null}
        {!list.data && !list.error && <Loading />}
        {list.data && list.data.items.length === 0 && <p>Nenhum backup agendado.</p>}
        {list.data && list.data.items.length > 0 && (
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Backups</caption>
              <thead>
                <tr>
                  <th scope="col">Agendado para</th>
                  <th scope="col">Situação</th>
                  <th scope="col">Pronto em</th>
                  <th scope="col">Disponível até</th>
                  <th scope="col">Tamanho</th>
                  <th scope="col">Download</th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((backup) => (
                  <tr key={backup.id}>
                    <td>{dateAndTime(backup.run_at)}</td>
                    <td data-status={backup.status}>{label(STATUS, backup.status)}</td>
                    <td>{dateAndTime(backup.ready_at)}</td>
                    <td>{dateAndTime(backup.expires_at)}</td>
                    <td>{bytes(backup.size_bytes)}</td>
                    <td>{owner && backup.status === "ready" ? <Download accountId={accountId} backupId={backup.id} /> : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </div>
  );
}

function Download({ accountId, backupId }: { accountId: string; backupId: string }) {
  const action = useAction();
  const [link, setLink] = useState<{ url: string; filename: string } | null>(null);
  return (
    <>
      <button
        type="button"
        className="secondary"
        disabled={action.busy}
        aria-describedby={`baixar-${backupId}-erro`}
        onClick={async () => {
          const answer = await action.run(() =>
            unwrap(
              api().GET("/v1/accounts/{account_id}/backups/{backup_id}/download", {
                params: { path: { account_id: accountId, backup_id: backupId } },
              }),
            ),
          );
          if (answer) setLink({ url: answer.url, filename: answer.filename });
        }}
      >
        Fazer download
      </button>
      {link && (
        <a href={link.url} download={link.filename} className="download-link">
          Baixar {link.filename}
        </a>
      )}
      <ErrorText id={`baixar-${backupId}-erro`} error={action.error} />
    </>
  );
}

function Schedule({ accountId, onDone }: { accountId: string; onDone: () => Promise<void> }) {
  const [day, setDay] = useState("");
  const [time, setTime] = useState("20:00");
  const action = useAction();
  return (
    <Section title="Fazer backup da conta">
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const parsedDay = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(day.trim());
          const parsedTime = /^(\d{2}):(\d{2})$/.exec(time.trim());
          if (!parsedDay || !parsedTime) {
            action.setError("Informe o dia como dd/mm/aaaa e o horário como hh:mm.");
            return;
          }
          const runAt = `${parsedDay[3]}-${parsedDay[2]}-${parsedDay[1]}T${time.trim()}:00-03:00`; // São Paulo time
          const created = await action.run(
            () =>
              unwrap(
                api().POST("/v1/accounts/{account_id}/backups", {
                  params: { path: { account_id: accountId } },
                  body: { run_at: runAt, next_window: true },
                }),
              ),
            (value) => `Backup agendado para ${dateAndTime(value.run_at)}. Você receberá um e-mail quando estiver pronto.`,
          );
          if (created) await onDone();
        }}
      >
        <div className="row">
          <div>
            <label htmlFor="backup-dia">Dia (dd/mm/aaaa)</label>
            <input id="backup-dia" inputMode="numeric" placeholder="dd/mm/aaaa" value={day} onChange={(e) => setDay(e.target.value)} required />
          </div>
          <div>
            <label htmlFor="backup-hora">Horário (entre 19h e 04h)</label>
            <input id="backup-hora" inputMode="numeric" placeholder="hh:mm" value={time} onChange={(e) => setTime(e.target.value)} required aria-describedby="backup-hora-ajuda" />
            <p id="backup-hora-ajuda" className="hint">Fora dessa faixa, o backup é gerado na próxima janela.</p>
          </div>
        </div>
        <ErrorText id="backup-erro" error={action.error} />
        <button type="submit" disabled={action.busy} aria-describedby="backup-erro">
          Agendar backup
        </button>
        <Done message={action.done} />
      </form>
    </Section>
  );
}
