// The Painel's charts (recharts), each a figure whose numbers are also in a table under "Ver
// tabela": the chart is a picture for the eye, the table is what a screen reader and a copy-paste get.
import type { ReactNode } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { brl } from "../format";
import { count, monthName, monthTick, percent } from "./figures";
import type { MetricsMonth } from "./metrics";
import { TableScroll } from "./TableScroll";

const compactMoney = new Intl.NumberFormat("pt-BR", { style: "currency", currency: "BRL", notation: "compact" });
const axisMoney = (cents: number) => compactMoney.format(cents / 100).replace(/\u00a0/g, " ");
const axisPercent = (rate: number) => percent(rate).replace(",0%", "%");

// Colors told apart by people with the common color-vision deficiencies (Okabe–Ito palette).
const COLOR = {
  new: "#009E73",
  expansion: "#0072B2",
  reactivation: "#56B4E9",
  contraction: "#E69F00",
  churn: "#D55E00",
  mrr: "#1b1f24",
  billed: "#0072B2",
  collected: "#009E73",
  refunded: "#D55E00",
  overdue: "#E69F00",
  recovered: "#009E73",
  rate: "#1b1f24",
  logo: "#CC79A7",
  revenue: "#D55E00",
};

const HEIGHT = 300;
const MARGIN = { top: 8, right: 16, bottom: 8, left: 16 };

// In the order the series are drawn, its text in the page's color (a light series color would be
// unreadable as text); the swatch carries the color.
const LEGEND = {
  itemSorter: null,
  formatter: (value: unknown) => <span className="legend-text">{String(value)}</span>,
} as const;

function moneyTooltip(value: unknown) {
  return brl(Number(value));
}

export function Figure({ title, summary, table, children }: { title: string; summary: string; table: ReactNode; children: ReactNode }) {
  return (
    <figure className="chart">
      <div className="chart-area" role="img" aria-label={`${title}: ${summary} Os números estão na tabela a seguir.`}>
        {children}
      </div>
      <figcaption className="hint">{summary}</figcaption>
      <details>
        <summary>Ver tabela: {title}</summary>
        <TableScroll label={title}>{table}</TableScroll>
      </details>
    </figure>
  );
}

export function MrrChart({ months }: { months: MetricsMonth[] }) {
  const rows = months.map((m) => ({ month: m.month, mrr: m.mrr_cents, ...m.movements }));
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <ComposedChart data={rows} stackOffset="sign" margin={MARGIN} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="month" tickFormatter={monthTick} />
        <YAxis yAxisId="movements" tickFormatter={axisMoney} width={80} />
        <YAxis yAxisId="mrr" orientation="right" tickFormatter={axisMoney} width={80} />
        <Tooltip formatter={moneyTooltip} labelFormatter={(month) => monthName(String(month))} />
        <Legend {...LEGEND} />
        <ReferenceLine yAxisId="movements" y={0} stroke="#4d5560" />
        <Bar yAxisId="movements" stackId="movements" dataKey="new_cents" name="Novo" fill={COLOR.new} isAnimationActive={false} />
        <Bar yAxisId="movements" stackId="movements" dataKey="expansion_cents" name="Expansão" fill={COLOR.expansion} isAnimationActive={false} />
        <Bar yAxisId="movements" stackId="movements" dataKey="reactivation_cents" name="Reativação" fill={COLOR.reactivation} isAnimationActive={false} />
        <Bar yAxisId="movements" stackId="movements" dataKey="contraction_cents" name="Contração" fill={COLOR.contraction} isAnimationActive={false} />
        <Bar yAxisId="movements" stackId="movements" dataKey="churn_cents" name="Cancelamento" fill={COLOR.churn} isAnimationActive={false} />
        <Line yAxisId="mrr" dataKey="mrr" name="MRR (eixo à direita)" stroke={COLOR.mrr} strokeWidth={2} dot isAnimationActive={false} />
      </ComposedChart>
    </ResponsiveContainer>
  );
}

export function CollectionChart({ months }: { months: MetricsMonth[] }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <BarChart data={months} margin={MARGIN} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="month" tickFormatter={monthTick} />
        <YAxis tickFormatter={axisMoney} width={80} />
        <Tooltip formatter={moneyTooltip} labelFormatter={(month) => monthName(String(month))} />
        <Legend {...LEGEND} />
        <Bar dataKey="billed_cents" name="Faturado" fill={COLOR.billed} isAnimationActive={false} />
        <Bar dataKey="collected_cents" name="Recebido" fill={COLOR.collected} isAnimationActive={false} />
        <Bar dataKey="refunded_cents" name="Estornado" fill={COLOR.refunded} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

export function DunningChart({ months }: { months: MetricsMonth[] }) {
  const rows = months.map((m) => ({ month: m.month, ...m.dunning }));
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <ComposedChart data={rows} margin={MARGIN} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="month" tickFormatter={monthTick} />
        <YAxis yAxisId="invoices" allowDecimals={false} tickFormatter={count} width={50} />
        <YAxis yAxisId="rate" orientation="right" domain={[0, 1]} tickFormatter={axisPercent} width={60} />
        <Tooltip
          formatter={(value, name) => (name === "Taxa de recuperação" ? percent(Number(value)) : count(Number(value)))}
          labelFormatter={(month) => monthName(String(month))}
        />
        <Legend {...LEGEND} />
        <Bar yAxisId="invoices" dataKey="overdue_invoices" name="Faturas vencidas" fill={COLOR.overdue} isAnimationActive={false} />
        <Bar yAxisId="invoices" dataKey="recovered_invoices" name="Recuperadas" fill={COLOR.recovered} isAnimationActive={false} />
        <Line yAxisId="rate" dataKey="recovery_rate" name="Taxa de recuperação" stroke={COLOR.rate} strokeWidth={2} connectNulls isAnimationActive={false} />
      </ComposedChart>
    </ResponsiveContainer>
  );
}

export function ChurnChart({ months }: { months: MetricsMonth[] }) {
  return (
    <ResponsiveContainer width="100%" height={HEIGHT}>
      <LineChart data={months} margin={MARGIN} accessibilityLayer={false}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="month" tickFormatter={monthTick} />
        <YAxis tickFormatter={axisPercent} width={60} />
        <Tooltip formatter={(value) => percent(Number(value))} labelFormatter={(month) => monthName(String(month))} />
        <Legend {...LEGEND} />
        <Line dataKey="logo_churn_rate" name="Churn de clientes" stroke={COLOR.logo} strokeWidth={2} connectNulls isAnimationActive={false} />
        <Line dataKey="revenue_churn_rate" name="Churn de receita" stroke={COLOR.revenue} strokeWidth={2} connectNulls isAnimationActive={false} />
      </LineChart>
    </ResponsiveContainer>
  );
}
