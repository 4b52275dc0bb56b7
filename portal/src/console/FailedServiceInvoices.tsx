// "NFS-e com falha": every account's service invoices the SEFIN Nacional refused (or that could not be
// built from the account's data), the latest to fail first, with the reason in pt-BR. The hourly job
// issue-service-invoices tries each again daily for a few days; after that a person fixes the data or
// issues the note in the Emissor Nacional (GET /v1/admin/service-invoices).
import { api, unwrap } from "../api/client";
import { LoadError, Loading, Page } from "../components/ui";
import { brl, dateAndTime } from "../format";
import { usePages } from "./pages";
import { TableScroll } from "./TableScroll";
import { LoadMore } from "./LoadMore";

export function FailedServiceInvoices() {
  const list = usePages(
    (cursor) => unwrap(api().GET("/v1/admin/service-invoices", { params: { query: { status: "failed", limit: 50, cursor } } })),
    [],
  );
  return (
    <Page
      title="NFS-e com falha"
      intro="Notas fiscais de serviço que não foram emitidas, com o motivo. O sistema tenta de novo uma vez por dia durante alguns dias; quando não há mais tentativa, corrija os dados da conta ou emita a nota no Emissor Nacional."
    >
      {list.error ? <LoadError error={list.error} /> : null}
      {list.loading && list.items.length === 0 && <Loading />}
      {!list.loading && !list.error && list.items.length === 0 && <p>Nenhuma NFS-e com falha.</p>}
      {list.items.length > 0 && (
        <TableScroll label="NFS-e com falha">
          <table>
            <caption className="sr-only">NFS-e com falha de todas as contas, as que falharam por último primeiro</caption>
            <thead>
              <tr>
                <th scope="col">Fatura</th>
                <th scope="col">Conta</th>
                <th scope="col">Valor do serviço</th>
                <th scope="col">Motivo</th>
                <th scope="col">Código</th>
                <th scope="col">Com falha desde</th>
                <th scope="col">Próxima tentativa</th>
              </tr>
            </thead>
            <tbody>
              {list.items.map((item) => (
                <tr key={`${item.account_id}-${item.invoice_id}`}>
                  <th scope="row" className="mono">
                    {item.invoice_id}
                  </th>
                  <td className="mono">{item.account_id}</td>
                  <td className="num">{brl(item.service_cents)}</td>
                  <td>{item.error ?? "—"}</td>
                  <td className="mono">{item.error_code ?? "—"}</td>
                  <td>{dateAndTime(item.failed_since)}</td>
                  <td>{item.next_attempt_at ? dateAndTime(item.next_attempt_at) : "Sem nova tentativa: uma pessoa precisa agir"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <LoadMore list={list} />
    </Page>
  );
}
