// "Retornos bancários": the finance team imports a bank's CNAB 240/400 return file. Liquidations
// settle invoices (once: a second import of the same file only counts duplicates); a file with an
// invalid line is refused whole, and the API's message names the line. The same import runs when a
// file lands in the returns bucket. Below, every import (from this screen or the bucket) with what it
// did, newest first (GET /v1/admin/bank-returns).
import { useRef } from "react";
import { api, unwrap, type Schemas } from "../api/client";
import { Done, ErrorText, LoadError, Loading, Page, Section, useAction } from "../components/ui";
import { brl, dateAndTime } from "../format";
import { count } from "./figures";
import { usePages } from "./pages";
import { TableScroll } from "./TableScroll";
import { LoadMore } from "./LoadMore";

type Listed = Schemas["BankReturnImportOut"];
type Counted = "records" | "settled" | "credited" | "duplicates" | "unmatched" | "registered" | "rejected" | "ignored";

const TO_CHECK: Record<Schemas["BankReturnToCheck"]["kind"], string> = {
  unmatched: "Pagamento sem fatura correspondente",
  rejected: "Boleto rejeitado pelo banco",
};

const COLUMNS: [Counted, string][] = [
  ["records", "Registros"],
  ["settled", "Liquidados"],
  ["credited", "Crédito (fatura já paga)"],
  ["duplicates", "Já importados"],
  ["unmatched", "Sem fatura correspondente"],
  ["registered", "Entradas confirmadas"],
  ["rejected", "Rejeitados"],
  ["ignored", "Ignorados"],
];

export function BankReturns() {
  const file = useRef<HTMLInputElement>(null);
  const list = usePages<Listed>(
    (cursor) => unwrap(api().GET("/v1/admin/bank-returns", { params: { query: { limit: 20, cursor } } })),
    [],
  );
  const action = useAction();
  return (
    <Page title="Retornos bancários" intro="Importe o arquivo de retorno do banco (CNAB 240 ou 400) para dar baixa nos boletos pagos.">
      <Section title="Importar arquivo de retorno">
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const chosen = file.current?.files?.[0];
            if (!chosen) return;
            const content = await chosen.arrayBuffer();
            const imported = await action.run(
              () =>
                unwrap(
                  api().POST("/v1/admin/bank-returns", {
                    params: { query: { name: chosen.name } },
                    // The file's bytes as they are: CNAB files are fixed-width Latin-1 text.
                    body: content as unknown as string,
                    bodySerializer: (body: unknown) => body as ArrayBuffer,
                    headers: { "Content-Type": "application/octet-stream" },
                  }),
                ),
              (value) => `Arquivo ${value.name} importado: ${count(value.settled)} liquidados, ${brl(value.settled_cents)} recebidos.`,
            );
            if (imported) {
              form.reset();
              await list.reload();
            }
          }}
        >
          <label htmlFor="retorno-arquivo">Arquivo de retorno (CNAB 240 ou 400)</label>
          <input id="retorno-arquivo" ref={file} type="file" accept=".ret,.RET,.txt,.TXT" required aria-describedby="retorno-erro" />
          <ErrorText id="retorno-erro" error={action.error} />
          <button type="submit" disabled={action.busy}>
            Importar
          </button>
          <Done message={action.done} />
        </form>
      </Section>
      <Section title="Arquivos importados" id="retornos-importados">
        {list.error ? <LoadError error={list.error} /> : null}
        {list.loading && list.items.length === 0 && <Loading />}
        {!list.loading && !list.error && list.items.length === 0 && <p>Nenhum arquivo de retorno importado ainda.</p>}
        {list.items.length > 0 && (
          <TableScroll label="Arquivos importados">
            <table>
              <caption className="sr-only">Arquivos de retorno importados (pela tela ou pelo bucket) e o que cada um fez, mais recentes primeiro</caption>
              <thead>
                <tr>
                  <th scope="col">Arquivo</th>
                  <th scope="col">Importado em</th>
                  <th scope="col">Por</th>
                  <th scope="col">Banco</th>
                  <th scope="col">Layout</th>
                  {COLUMNS.map(([key, text]) => (
                    <th scope="col" key={key}>
                      {text}
                    </th>
                  ))}
                  <th scope="col">Valor recebido</th>
                </tr>
              </thead>
              <tbody>
                {list.items.map((item) => (
                  <tr key={item.id}>
                    <th scope="row">{item.name}</th>
                    <td>{dateAndTime(item.imported_at)}</td>
                    <td>{item.imported_by === "bank_file:s3" ? "Bucket (automático)" : item.imported_by}</td>
                    <td>{item.bank_code}</td>
                    <td>CNAB {item.layout}</td>
                    {COLUMNS.map(([key]) => (
                      <td className="num" key={key}>
                        {count(item[key])}
                      </td>
                    ))}
                    <td className="num">{brl(item.settled_cents)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
        <LoadMore list={list} />
        {list.items.some((item) => item.to_check.length > 0) && (
          <>
            <h3>Registros para conferir</h3>
            <TableScroll label="Registros para conferir">
              <table>
                <caption className="sr-only">Pagamentos sem fatura e boletos rejeitados dos arquivos listados acima</caption>
                <thead>
                  <tr>
                    <th scope="col">Arquivo</th>
                    <th scope="col">Linha</th>
                    <th scope="col">Nosso número</th>
                    <th scope="col">O que aconteceu</th>
                    <th scope="col">Valor pago</th>
                    <th scope="col">Fatura</th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.flatMap((item) =>
                    item.to_check.map((entry) => (
                      <tr key={`${item.id}-${entry.line}-${entry.kind}`}>
                        <th scope="row">{item.name}</th>
                        <td className="num">{entry.line}</td>
                        <td className="mono">{entry.nosso_numero}</td>
                        <td>{TO_CHECK[entry.kind]} (ocorrência {entry.movement})</td>
                        <td className="num">{entry.paid_cents == null ? "—" : brl(entry.paid_cents)}</td>
                        <td className="mono">{entry.invoice_id ?? "—"}</td>
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
            </TableScroll>
          </>
        )}
      </Section>
    </Page>
  );
}
