// "Solicitações dos clientes": every account's requests by status, newest activity first; a thread
// opens beside the list and the finance team answers it (optionally closing it).
import { useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { api, unwrap, type Schemas } from "../api/client";
import { Done, ErrorText, LoadError, Loading, Page, Section, useAction, useLoad } from "../components/ui";
import { dateAndTime, label, REQUEST_STATUS, REQUEST_TYPE } from "../format";
import { usePages } from "./pages";
import { TableScroll } from "./TableScroll";
import { LoadMore } from "./LoadMore";
import { Messages } from "../components/Messages";

type Status = Schemas["RequestOut"]["status"];
const STATUSES: Status[] = ["open", "answered", "closed"];
const LISTED: Record<Status, string> = { open: "Abertas", answered: "Respondidas", closed: "Encerradas" };

export function RequestQueue() {
  const [params, setParams] = useSearchParams();
  const status = (STATUSES as string[]).includes(params.get("situacao") ?? "") ? (params.get("situacao") as Status) : "open";
  const selected = params.get("solicitacao");
  const list = usePages(
    (cursor) => unwrap(api().GET("/v1/admin/requests", { params: { query: { status, limit: 50, cursor } } })),
    [status],
  );
  const [answered, setAnswered] = useState<Schemas["RequestOut"] | null>(null);
  const request = list.items.find((item) => item.id === selected) ?? (answered?.id === selected ? answered : undefined);
  return (
    <Page title="Solicitações dos clientes" intro="Pedidos de todas as contas ao time financeiro: responda na conversa de cada um.">
      <div className="toolbar">
        <label htmlFor="situacao">Situação</label>
        <select id="situacao" value={status} onChange={(event) => setParams({ situacao: event.target.value })}>
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {LISTED[value]}
            </option>
          ))}
        </select>
      </div>
      {list.error ? <LoadError error={list.error} /> : null}
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && !list.error && list.items.length === 0 && <p>Nenhuma solicitação nesta situação.</p>}
      {list.items.length > 0 && (
        <TableScroll label={`Solicitações ${LISTED[status].toLowerCase()}`}>
          <table>
            <caption className="sr-only">Solicitações {LISTED[status].toLowerCase()}, atividade mais recente primeiro</caption>
            <thead>
              <tr>
                <th scope="col">Conta</th>
                <th scope="col">Assunto</th>
                <th scope="col">Pedido</th>
                <th scope="col">Mensagens</th>
                <th scope="col">Última atividade</th>
                <th scope="col">
                  <span className="sr-only">Ações</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((item) => (
                <tr key={item.id} aria-current={item.id === selected ? "true" : undefined}>
                  <td className="mono">{item.account_id}</td>
                  <td>{label(REQUEST_TYPE, item.type)}</td>
                  <td>{item.text.length > 90 ? `${item.text.slice(0, 90)}…` : item.text}</td>
                  <td className="num">{item.message_count}</td>
                  <td>{dateAndTime(item.last_activity_at)}</td>
                  <td className="actions">
                    <Link
                      to={`?situacao=${status}&solicitacao=${encodeURIComponent(item.id)}`}
                      aria-label={`Abrir conversa: ${label(REQUEST_TYPE, item.type)}, conta ${item.account_id}`}
                    >
                      Abrir conversa
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <LoadMore list={list} />
      {selected && (
        <Thread
          key={selected}
          requestId={selected}
          request={request}
          onAnswered={async (updated) => {
            setAnswered(updated);
            await list.reload();
          }}
        />
      )}
    </Page>
  );
}

function Thread({
  requestId,
  request,
  onAnswered,
}: {
  requestId: string;
  request?: Schemas["RequestOut"];
  onAnswered: (request: Schemas["RequestOut"]) => Promise<void>;
}) {
  const path = { request_id: requestId };
  const messages = useLoad(
    () => unwrap(api().GET("/v1/admin/requests/{request_id}/messages", { params: { path, query: { limit: 100 } } })),
    [requestId],
  );
  const [text, setText] = useState("");
  const [close, setClose] = useState(false);
  const action = useAction();
  return (
    <Section title="Conversa" id="conversa">
      {request && (
        <p>
          <strong>{label(REQUEST_TYPE, request.type)}</strong> da conta <span className="mono">{request.account_id}</span> —{" "}
          {label(REQUEST_STATUS, request.status)}
        </p>
      )}
      <Messages messages={messages} customer="Cliente" />
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const posted = await action.run(
            () => unwrap(api().POST("/v1/admin/requests/{request_id}/messages", { params: { path }, body: { text, close } })),
            (value) => (value.request.status === "closed" ? "Resposta enviada; solicitação encerrada." : "Resposta enviada ao cliente."),
          );
          if (posted) {
            setText("");
            setClose(false);
            await messages.reload();
            await onAnswered(posted.request);
          }
        }}
      >
        <label htmlFor="resposta-financeiro">Resposta ao cliente</label>
        <textarea id="resposta-financeiro" rows={4} value={text} onChange={(e) => setText(e.target.value)} required />
        <label className="inline">
          <input type="checkbox" checked={close} onChange={(e) => setClose(e.target.checked)} />
          Encerrar a solicitação com esta resposta
        </label>
        <ErrorText id="resposta-financeiro-erro" error={action.error} />
        <button type="submit" disabled={action.busy} aria-describedby="resposta-financeiro-erro">
          Enviar resposta
        </button>
        <Done message={action.done} />
      </form>
    </Section>
  );
}
