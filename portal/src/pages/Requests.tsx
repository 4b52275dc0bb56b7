// "Solicitações": requests to the finance team and their threads.
import { useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, unwrap, type Schemas } from "../api/client";
import { AccountPage } from "../components/AccountPage";
import { Done, ErrorText, LoadError, Loading, Section, useAction, useLoad } from "../components/ui";
import { dateAndTime, label, REQUEST_STATUS as STATUS, REQUEST_TYPE as TYPE } from "../format";
import { Messages } from "../components/Messages";

export function Requests() {
  return (
    <AccountPage title="Solicitações" intro="Um canal direto com o time financeiro: nota fiscal, mais licenças e outros pedidos.">
      {(account) => <RequestsBody accountId={account.id} />}
    </AccountPage>
  );
}

function RequestsBody({ accountId }: { accountId: string }) {
  const [params] = useSearchParams();
  const selected = params.get("solicitacao");
  const list = useLoad(
    () => unwrap(api().GET("/v1/accounts/{account_id}/requests", { params: { path: { account_id: accountId }, query: { limit: 50 } } })),
    [accountId],
  );
  return (
    <div className="grid">
      <NewRequest accountId={accountId} onDone={list.reload} />
      <Section title="Minhas solicitações">
        {list.error ? <LoadError error={list.error} /> : null}
        {!list.data && !list.error && <Loading />}
        {list.data && list.data.items.length === 0 && <p>Nenhuma solicitação ainda.</p>}
        {list.data && list.data.items.length > 0 && (
          <ul className="plain threads">
            {list.data.items.map((request) => (
              <li key={request.id} aria-current={request.id === selected ? "true" : undefined}>
                <Link to={`?solicitacao=${encodeURIComponent(request.id)}`}>
                  {label(TYPE, request.type)}: {request.text.slice(0, 80)}
                </Link>{" "}
                <span className="hint">
                  {label(STATUS, request.status)} · {request.message_count} mensage{request.message_count === 1 ? "m" : "ns"} ·{" "}
                  {dateAndTime(request.last_activity_at)}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Section>
      {selected && list.data && (
        <Thread key={selected} accountId={accountId} request={list.data.items.find((r) => r.id === selected)} requestId={selected} onDone={list.reload} />
      )}
    </div>
  );
}

function NewRequest({ accountId, onDone }: { accountId: string; onDone: () => Promise<void> }) {
  const [type, setType] = useState<Schemas["RequestIn"]["type"]>("nota_fiscal");
  const [text, setText] = useState("");
  const action = useAction();
  return (
    <Section title="Nova solicitação">
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const created = await action.run(
            () => unwrap(api().POST("/v1/accounts/{account_id}/requests", { params: { path: { account_id: accountId } }, body: { type, text } })),
            "Solicitação enviada ao time financeiro.",
          );
          if (created) {
            setText("");
            await onDone();
          }
        }}
      >
        <label htmlFor="solicitacao-tipo">Assunto</label>
        <select id="solicitacao-tipo" value={type} onChange={(e) => setType(e.target.value as Schemas["RequestIn"]["type"])}>
          {Object.entries(TYPE).map(([key, text]) => (
            <option key={key} value={key}>
              {text}
            </option>
          ))}
        </select>
        <label htmlFor="solicitacao-texto">Qual é a sua necessidade?</label>
        <textarea id="solicitacao-texto" rows={4} value={text} onChange={(e) => setText(e.target.value)} required />
        <ErrorText id="solicitacao-erro" error={action.error} />
        <button type="submit" disabled={action.busy} aria-describedby="solicitacao-erro">
          Enviar
        </button>
        <Done message={action.done} />
      </form>
    </Section>
  );
}

function Thread({
  accountId,
  requestId,
  request,
  onDone,
}: {
  accountId: string;
  requestId: string;
  request?: Schemas["RequestOut"];
  onDone: () => Promise<void>;
}) {
  const path = { account_id: accountId, request_id: requestId };
  const messages = useLoad(
    () => unwrap(api().GET("/v1/accounts/{account_id}/requests/{request_id}/messages", { params: { path, query: { limit: 100 } } })),
    [accountId, requestId],
  );
  const [text, setText] = useState("");
  const action = useAction();
  return (
    <Section title="Conversa" id="conversa">
      {request && (
        <p>
          <strong>{label(TYPE, request.type)}</strong> — {label(STATUS, request.status)}
        </p>
      )}
      <Messages messages={messages} customer="Você" />
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const posted = await action.run(
            () => unwrap(api().POST("/v1/accounts/{account_id}/requests/{request_id}/messages", { params: { path }, body: { text } })),
            "Mensagem enviada.",
          );
          if (posted) {
            setText("");
            await messages.reload();
            await onDone();
          }
        }}
      >
        <label htmlFor="resposta">Responder</label>
        <textarea id="resposta" rows={3} value={text} onChange={(e) => setText(e.target.value)} required />
        <ErrorText id="resposta-erro" error={action.error} />
        <button type="submit" disabled={action.busy} aria-describedby="resposta-erro">
          Enviar mensagem
        </button>
        <Done message={action.done} />
      </form>
    </Section>
  );
}
