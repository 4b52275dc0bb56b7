// How the console words its figures, in pt-BR: rates as "2,5%", counts as "1.234", months as
// "março de 2026" (tables) or "mar/26" (chart axes), days as "2,5 dias". Money is format.ts's brl().
const percentFormat = new Intl.NumberFormat("pt-BR", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const countFormat = new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 0 });
const daysFormat = new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 1 });
const monthLong = new Intl.DateTimeFormat("pt-BR", { month: "long", year: "numeric", timeZone: "UTC" });
const monthShort = new Intl.DateTimeFormat("pt-BR", { month: "short", timeZone: "UTC" });

/** A rate the API sends as a decimal (0.025) → "2,5%"; no rate (nothing to divide by) → "—". */
export function percent(rate: number | null | undefined): string {
  if (rate === null || rate === undefined) return "—";
  return percentFormat.format(rate).replace(/\u00a0/g, " ");
}

export function count(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return countFormat.format(value);
}

export function days(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return `${daysFormat.format(value)} ${value === 1 ? "dia" : "dias"}`;
}

function firstDay(month: string): Date {
  return new Date(`${month}-01T00:00:00Z`);
}

/** "2026-03" → "março de 2026". */
export function monthName(month: string): string {
  return monthLong.format(firstDay(month));
}

/** "2026-03" → "mar/26", short enough for a chart's axis. */
export function monthTick(month: string): string {
  return `${monthShort.format(firstDay(month)).replace(".", "")}/${month.slice(2, 4)}`;
}

const MONEY = /^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?$/;

/** What a person types as an amount in reais ("1.234,56", "R$ 150", "150,5") → centavos, or null. */
export function centsFrom(text: string): number | null {
  const match = MONEY.exec(text.replace(/^R\$\s*/, "").trim());
  if (!match) return null;
  return Number(match[1].replace(/\./g, "")) * 100 + Number((match[2] ?? "0").padEnd(2, "0"));
}
