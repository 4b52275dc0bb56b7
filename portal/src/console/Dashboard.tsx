// "Painel": the revenue metrics of a range of months (default: the API's last 12) for one product or
// all. The indicators of the range's last month on top; then each series as a chart with its table.
// Collection and dunning exist for all products together only (invoices are not split by product).
import { useSearchParams } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { ErrorText, LoadError, Loading, Page, Section, useAction, useLoad } from "../components/ui";
import { ChurnChart, CollectionChart, DunningChart, Figure, MrrChart } from "./charts";
import { monthName } from "./figures";
import { downloadCsv, loadMetrics, rangeFrom } from "./metrics";
import { RangeForm } from "./RangeForm";
import {
  ByMethod, COLLECTION_COLUMNS, CUSTOMER_COLUMNS, DayTable, DUNNING_COLUMNS, INDICATORS, MonthTable, MRR_COLUMNS,
} from "./tables";

export function Dashboard() {
  const [params, setParams] = useSearchParams();
  const range = rangeFrom(params);
  const metrics = useLoad(() => loadMetrics(range), [range.from, range.to, range.productId]);
  const catalog = useLoad(() => unwrap(api().GET("/v1/catalog")), []);
  const months = metrics.data ?? [];
  const last = months.at(-1);
  const current = months.find((month) => month.days && month.days.length > 0);
  const whole = !range.productId;
  const csv = useAction();
  return (
    <Page title="Painel" intro="Receita recorrente, churn, cobrança e recuperação de inadimplência, mês a mês.">
      <RangeForm
        key={`${range.from ?? months[0]?.month}|${range.to ?? last?.month}|${range.productId}`}
        range={{ ...range, from: range.from ?? months[0]?.month ?? null, to: range.to ?? last?.month ?? null }}
        products={catalog.data?.items ?? []}
        error={metrics.error}
        onChange={(chosen) =>
          setParams({
            ...(chosen.from ? { de: chosen.from } : {}),
            ...(chosen.to ? { ate: chosen.to } : {}),
            ...(chosen.productId ? { produto: chosen.productId } : {}),
          })
        }
      />
      {catalog.error ? <LoadError error={catalog.error} /> : null}
      {metrics.loading && <Loading />}
      {!metrics.loading && months.length > 0 && (
        <div className="buttons">
          <button
            type="button"
            className="secondary"
            disabled={csv.busy}
            onClick={() => void csv.run(() => downloadCsv(range, months))}
            aria-describedby="csv-erro"
          >
            Baixar CSV
          </button>
          <ErrorText id="csv-erro" error={csv.error} />
        </div>
      )}
      {!metrics.loading && metrics.data && months.length === 0 && <p>Nenhum dado no período escolhido.</p>}
      {last && (
        <Section title={`Indicadores de ${monthName(last.month)}`} id="indicadores">
          <div className="indicators">
            {INDICATORS.filter((group) => whole || !group.wholeOnly).map((group) => (
              <div key={group.title}>
                <h3>{group.title}</h3>
                <dl className="figures">
                  {group.columns.map((column) => (
                    <div key={column.header}>
                      <dt>{column.header}</dt>
                      <dd>{column.value(last)}</dd>
                    </div>
                  ))}
                </dl>
              </div>
            ))}
          </div>
          {!whole && (
            <p className="notice">
              Cobrança e inadimplência são do conjunto dos produtos (uma fatura reúne vários): escolha “Todos os produtos” para
              vê-las.
            </p>
          )}
        </Section>
      )}
      {months.length > 0 && (
        <>
          <Section title="MRR e seus movimentos" id="mrr">
            <Figure
              title="MRR e seus movimentos"
              summary="Barras empilhadas: o que entrou no MRR (novo, expansão, reativação) acima de zero e o que saiu (contração, cancelamento) abaixo; a linha é o MRR no fim de cada mês."
              table={<MonthTable caption="MRR e seus movimentos por mês" columns={MRR_COLUMNS} months={months} />}
            >
              <MrrChart months={months} />
            </Figure>
          </Section>
          <Section title="Clientes e churn" id="churn">
            <Figure
              title="Clientes e churn"
              summary="Churn de clientes (contas que saíram) e churn de receita (MRR perdido) de cada mês."
              table={<MonthTable caption="Clientes, ARPA, churn e NRR por mês" columns={CUSTOMER_COLUMNS} months={months} />}
            >
              <ChurnChart months={months} />
            </Figure>
          </Section>
          {current && (
            <Section title={`${monthName(current.month)} dia a dia`} id="dia-a-dia">
              <DayTable month={current} whole={whole} />
            </Section>
          )}
          {whole && (
            <Section title="Cobrança" id="cobranca">
              <Figure
                title="Cobrança"
                summary="Faturado, recebido e estornado em cada mês."
                table={<MonthTable caption="Faturado, recebido e estornado por mês" columns={COLLECTION_COLUMNS} months={months} />}
              >
                <CollectionChart months={months} />
              </Figure>
              {last?.by_method && <ByMethod month={last} />}
            </Section>
          )}
          {whole && (
            <Section title="Recuperação de inadimplência" id="inadimplencia">
              <Figure
                title="Recuperação de inadimplência"
                summary="Faturas que venceram sem pagamento em cada mês e quantas foram pagas depois; a linha é a taxa de recuperação."
                table={<MonthTable caption="Inadimplência e recuperação por mês" columns={DUNNING_COLUMNS} months={months} />}
              >
                <DunningChart months={months} />
              </Figure>
            </Section>
          )}
        </>
      )}
    </Page>
  );
}
