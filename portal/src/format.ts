// What a person reads: money as "R$ 1.234,56", dates as dd/mm/aaaa, in São Paulo time.
const money = new Intl.NumberFormat("pt-BR", { style: "currency", currency: "BRL" });
const dateTime = new Intl.DateTimeFormat("pt-BR", {
  timeZone: "America/Sao_Paulo",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

export function brl(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return "—";
  return money.format(cents / 100).replace(/\u00a0/g, " ");
}

/** "2026-12-15" (or an ISO instant) → "15/12/2026" without time-zone shifts. */
export function date(value: string | null | undefined): string {
  if (!value) return "—";
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match) return `${match[3]}/${match[2]}/${match[1]}`;
  return dateTime.format(new Date(value)).split(",")[0].split(" ")[0];
}

/** A period as a person reads it: the API's end is exclusive (the next period's first day), the text
 * names the last day, as the invoice lines' descriptions do ("04/01/2027 a 03/02/2027"). */
export function period(start: string | null | undefined, endExclusive: string | null | undefined): string {
  if (!start || !endExclusive) return "—";
  const end = new Date(`${endExclusive}T12:00:00Z`);
  end.setUTCDate(end.getUTCDate() - 1);
  return `${date(start)} a ${date(end.toISOString().slice(0, 10))}`;
}

export function dateAndTime(value: string | null | undefined): string {
  if (!value) return "—";
  return dateTime.format(new Date(value)).replace(",", "");
}

export const PERIODICITY: Record<string, string> = {
  monthly: "Mensal",
  quarterly: "Trimestral",
  semiannual: "Semestral",
  annual: "Anual",
};

export const PAYMENT_METHOD: Record<string, string> = {
  card: "Cartão de crédito",
  boleto: "Boleto bancário",
  pix: "Pix",
  pix_automatico: "Pix Automático",
};

export const SUBSCRIPTION_STATUS: Record<string, string> = {
  active: "Ativa",
  trialing: "Em teste",
  past_due: "Em atraso",
  suspended: "Suspensa",
  pending_cancellation: "Cancelamento agendado",
  cancelled: "Cancelada",
};

export const INVOICE_STATUS: Record<string, string> = {
  draft: "Rascunho",
  open: "Em aberto",
  paid: "Paga",
  partially_paid: "Paga em parte",
  void: "Anulada",
  superseded: "Substituída",
  refunded: "Estornada",
};

export const ROLE: Record<string, string> = {
  owner: "Proprietário",
  admin: "Administrador",
  finance: "Responsável financeiro",
  member: "Membro",
};

export const REQUEST_TYPE: Record<string, string> = { nota_fiscal: "Nota fiscal", licenses: "Mais licenças", other: "Outro assunto" };
export const REQUEST_STATUS: Record<string, string> = { open: "Aberta", answered: "Respondida", closed: "Encerrada" };

export const LICENSE: Record<string, string> = {
  active: "Ativa",
  suspended: "Suspensa",
  none: "Sem licença",
};

export function label(map: Record<string, string>, key: string | null | undefined): string {
  if (!key) return "—";
  return map[key] ?? key;
}

export function gigabytes(value: number): string {
  return `${value.toLocaleString("pt-BR", { maximumFractionDigits: 2 })} GB`;
}
