import { Link } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { AccountPage } from "../components/AccountPage";
import { LoadError, Loading, useLoad } from "../components/ui";
import { brl, dateAndTime, label, PAYMENT_METHOD } from "../format";

const STATUS: Record<string, string> = {
  settled: "Confirmado",
  refunded: "Estornado",
  refund_requested: "Estorno solicitado",
  charged_back: "Contestado",
};
const SOURCE: Record<string, string> = { gateway: "Gateway de pagamento", bank_file: "Arquivo de retorno do banco" };

export function Payments() {
  return (
    <AccountPage title="Histórico de pagamentos">
      {(account) => <PaymentList accountId={account.id} />}
    </AccountPage>
  );
}

function PaymentList({ accountId }: { accountId: string }) {
  const list = useLoad(
    () => unwrap(api().GET("/v1/accounts/{account_id}/payments", { params: { path: { account_id: accountId }, query: { limit: 50 } } })),
    [accountId],
  );
  if (list.error) return <LoadError error={list.error} />;
  if (!list.data) return <Loading />;
  if (list.data.items.length === 0) return <p>Nenhum pagamento registrado.</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">Pagamentos, do mais novo para o mais antigo</caption>
        <thead>
          <tr>
            <th scope="col">Data</th>
            <th scope="col">Valor</th>
            <th scope="col">Forma</th>
            <th scope="col">Origem</th>
            <th scope="col">Situação</th>
            <th scope="col">Fatura</th>
          </tr>
        </thead>
        <tbody>
          {list.data.items.map((payment) => (
            <tr key={payment.id}>
              <td>{dateAndTime(payment.paid_at)}</td>
              <td className="num">{brl(payment.amount_cents)}</td>
              <td>{label(PAYMENT_METHOD, payment.method)}</td>
              <td>{label(SOURCE, payment.source)}</td>
              <td>{label(STATUS, payment.status)}</td>
              <td>
                <Link to={`/contas/${accountId}/faturas?situacao=all&fatura=${encodeURIComponent(payment.invoice_id)}`}>Ver fatura</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
