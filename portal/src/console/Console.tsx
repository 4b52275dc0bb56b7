// The vendor's finance console: the revenue panel and the finance team's work queues. Loaded on
// demand (App.tsx), so the customer's screens never carry it. The menu is offered to the `finance`
// group only; the API answers 403 to anyone else, and each page shows that message.
import { Navigate, NavLink, Route, Routes } from "react-router-dom";
import { NotFound } from "../pages/NotFound";
import "./console.css";
import { Dashboard } from "./Dashboard";
import { RequestQueue } from "./RequestQueue";
import { Refunds } from "./Refunds";
import { BankReturns } from "./BankReturns";
import { Credits } from "./Credits";
import { FailedServiceInvoices } from "./FailedServiceInvoices";

const MENU = [
  { to: "painel", text: "Painel" },
  { to: "solicitacoes", text: "Solicitações dos clientes" },
  { to: "estornos", text: "Estornos" },
  { to: "retornos", text: "Retornos bancários" },
  { to: "creditos", text: "Créditos" },
  { to: "nfse-com-falha", text: "NFS-e com falha" },
];

export default function Console() {
  return (
    <div className="layout console">
      <nav aria-label="Menu do financeiro" className="side">
        <p className="account-name">
          Equipe financeira<span className="role">Console do fornecedor</span>
        </p>
        <ul>
          {MENU.map((item) => (
            <li key={item.to}>
              <NavLink to={`/financeiro/${item.to}`}>{item.text}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="conteudo" className="main">
        <Routes>
          <Route index element={<Navigate to="painel" replace />} />
          <Route path="painel" element={<Dashboard />} />
          <Route path="solicitacoes" element={<RequestQueue />} />
          <Route path="estornos" element={<Refunds />} />
          <Route path="retornos" element={<BankReturns />} />
          <Route path="creditos" element={<Credits />} />
          <Route path="nfse-com-falha" element={<FailedServiceInvoices />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
    </div>
  );
}
