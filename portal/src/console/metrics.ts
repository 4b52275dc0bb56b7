// The revenue metrics of `GET /v1/admin/metrics` (finance group), month by month, in centavos;
// movements signed as they move MRR (contraction and churn negative), rates as decimals. Collection
// and dunning are of all products together: with a product they come as null.
import { api, unwrap } from "../api/client";
import type { paths } from "../api/schema";

type MetricsRoute = paths["/v1/admin/metrics"]["get"];
export type MetricsQuery = NonNullable<MetricsRoute["parameters"]["query"]>;
export type MetricsMonth = MetricsRoute["responses"][200]["content"]["application/json"]["months"][number];

/** What the address asks (?de=&ate=&produto=); a month left out is the API's default (the last 12
 * months up to the current one, by the API's clock). */
export interface Range {
  from: string | null; // YYYY-MM
  to: string | null;
  productId: string; // "" = every product
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function rangeFrom(params: URLSearchParams): Range {
  const month = (name: string) => (MONTH.test(params.get(name) ?? "") ? params.get(name) : null);
  return { from: month("de"), to: month("ate"), productId: params.get("produto") ?? "" };
}

function query(range: Range): MetricsQuery {
  return {
    ...(range.from ? { from: range.from } : {}),
    ...(range.to ? { to: range.to } : {}),
    ...(range.productId ? { product_id: range.productId } : {}),
  };
}

export async function loadMetrics(range: Range): Promise<MetricsMonth[]> {
  const answer = await unwrap(api().GET("/v1/admin/metrics", { params: { query: query(range) } }));
  return answer.months;
}

/** The same months as the API's CSV export, saved by the browser as a file. The file is fetched with
 * the bearer token (a plain link could not carry it), then handed to the browser's download. */
export async function downloadCsv(range: Range, months: MetricsMonth[]) {
  const file = await unwrap(api().GET("/v1/admin/metrics.csv", { params: { query: query(range) }, parseAs: "blob" }));
  const name = `metricas-${months[0].month}-a-${months[months.length - 1].month}${range.productId ? `-${range.productId}` : ""}.csv`;
  const url = URL.createObjectURL(file);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
