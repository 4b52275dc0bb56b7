// The Painel's figures as tables: each column a header and how a month's figure is written. The
// same columns make the charts' tables, the indicator cards and the collection by payment method.
import { brl, date, label, PAYMENT_METHOD } from "../format";
import { count, days, monthName, percent } from "./figures";
import type { MetricsMonth } from "./metrics";
import { TableScroll } from "./TableScroll";

export interface Column {
  header: string;
  value: (month: MetricsMonth) => string;
}

export const MRR_COLUMNS: Column[] = [
  { header: "MRR", value: (m) => brl(m.mrr_cents) },
  { header: "ARR", value: (m) => brl(m.arr_cents) },
  { header: "Novo", value: (m) => brl(m.movements.new_cents) },
  { header: "Expansão", value: (m) => brl(m.movements.expansion_cents) },
  { header: "Reativação", value: (m) => brl(m.movements.reactivation_cents) },
  { header: "Contração", value: (m) => brl(m.movements.contraction_cents) },
  { header: "Cancelamento", value: (m) => brl(m.movements.churn_cents) },
];

export const CUSTOMER_COLUMNS: Column[] = [
  { header: "Contas ativas", value: (m) => count(m.active_accounts) },
  { header: "Assinaturas ativas", value: (m) => count(m.active_subscriptions) },
  { header: "ARPA", value: (m) => brl(m.arpa_cents) },
  { header: "Churn de clientes", value: (m) => percent(m.logo_churn_rate) },
  { header: "Churn de receita", value: (m) => percent(m.revenue_churn_rate) },
  { header: "NRR", value: (m) => percent(m.nrr) },
];

export const COLLECTION_COLUMNS: Column[] = [
  { header: "Faturado", value: (m) => brl(m.billed_cents) },
  { header: "Recebido", value: (m) => brl(m.collected_cents) },
  { header: "Estornado", value: (m) => brl(m.refunded_cents) },
];

export const DUNNING_COLUMNS: Column[] = [
  { header: "Faturas vencidas", value: (m) => count(m.dunning?.overdue_invoices) },
  { header: "Recuperadas", value: (m) => count(m.dunning?.recovered_invoices) },
  { header: "Valor recuperado", value: (m) => brl(m.dunning?.recovered_cents) },
  { header: "Taxa de recuperação", value: (m) => percent(m.dunning?.recovery_rate) },
  { header: "Mediana de dias para recuperar", value: (m) => days(m.dunning?.median_days_to_recover) },
];

// The indicators of the last month, grouped as the finance team reads them.
export const INDICATORS: { title: string; columns: Column[]; wholeOnly: boolean }[] = [
  { title: "Receita recorrente", columns: [MRR_COLUMNS[0], MRR_COLUMNS[1], ...CUSTOMER_COLUMNS], wholeOnly: false },
  { title: "Cobrança", columns: COLLECTION_COLUMNS, wholeOnly: true },
  { title: "Recuperação de inadimplência", columns: DUNNING_COLUMNS, wholeOnly: true },
];

type MethodFigures = NonNullable<NonNullable<MetricsMonth["by_method"]>[keyof NonNullable<MetricsMonth["by_method"]>]>;

const METHOD_COLUMNS: { header: string; value: (figures: MethodFigures) => string }[] = [
  { header: "Faturado", value: (f) => brl(f.billed_cents) },
  { header: "Recebido", value: (f) => brl(f.collected_cents) },
  { header: "Estornado", value: (f) => brl(f.refunded_cents) },
  { header: "Faturas vencidas", value: (f) => count(f.overdue_invoices) },
  { header: "Recuperadas", value: (f) => count(f.recovered_invoices) },
  { header: "Valor recuperado", value: (f) => brl(f.recovered_cents) },
];

/** Collection and dunning of the last month by payment method (boleto, cartão, Pix, Pix Automático). */
export function ByMethod({ month }: { month: MetricsMonth }) {
  const methods = Object.entries(month.by_method ?? {});
  if (methods.length === 0) return null;
  const title = `Por forma de pagamento em ${monthName(month.month)}`;
  return (
    <>
      <h3>{title}</h3>
      <TableScroll label={title}>
        <table id="por-forma">
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Forma de pagamento</th>
              {METHOD_COLUMNS.map((column) => (
                <th scope="col" key={column.header}>
                  {column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {methods.map(([method, figures]) => (
              <tr key={method}>
                <th scope="row">{label(PAYMENT_METHOD, method)}</th>
                {METHOD_COLUMNS.map((column) => (
                  <td className="num" key={column.header}>
                    {figures ? column.value(figures) : "—"}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}

export function MonthTable({ caption, columns, months }: { caption: string; columns: Column[]; months: MetricsMonth[] }) {
  return (
    <table>
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Mês</th>
          {columns.map((column) => (
            <th scope="col" key={column.header}>
              {column.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {months.map((month) => (
          <tr key={month.month}>
            <th scope="row">{monthName(month.month)}</th>
            {columns.map((column) => (
              <td className="num" key={column.header}>
                {column.value(month)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The current month day by day (the API sends `days` for it only): MRR at the end of each day, what
 * moved it, and what was billed and collected that day. */
export function DayTable({ month, whole }: { month: MetricsMonth; whole: boolean }) {
  const rows = month.days ?? [];
  return (
    <TableScroll label={`${monthName(month.month)} dia a dia`}>
      <table data-tabela="dia-a-dia">
        <caption className="sr-only">{`${monthName(month.month)} dia a dia`}</caption>
        <thead>
          <tr>
            <th scope="col">Dia</th>
            <th scope="col">MRR</th>
            <th scope="col">Entrou (novo, expansão, reativação)</th>
            <th scope="col">Saiu (contração, cancelamento)</th>
            {whole && <th scope="col">Faturado</th>}
            {whole && <th scope="col">Recebido</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((day) => {
            const m = day.movements;
            return (
              <tr key={day.date}>
                <th scope="row">{date(day.date)}</th>
                <td className="num">{brl(day.mrr_cents)}</td>
                <td className="num">{brl(m.new_cents + m.expansion_cents + m.reactivation_cents)}</td>
                <td className="num">{brl(m.contraction_cents + m.churn_cents)}</td>
                {whole && <td className="num">{brl(day.billed_cents ?? 0)}</td>}
                {whole && <td className="num">{brl(day.collected_cents ?? 0)}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableScroll>
  );
}
