import { lazy, Suspense, useCallback, useEffect, useState, useSyncExternalStore } from "react";
import { Link, Navigate, NavLink, Outlet, Route, Routes, useLocation, useNavigate, useParams } from "react-router-dom";
import { accessToken, claims, home, isFinanceStaff, onAuthChange, signOut } from "./auth";
import { config } from "./config";
import { api, unwrap } from "./api/client";
import { AccountContext, can, type Account } from "./account";
import { label, ROLE } from "./format";
import { SignIn } from "./pages/SignIn";
import { Accounts } from "./pages/Accounts";
import { Subscriptions } from "./pages/Subscriptions";
import { Plan } from "./pages/Plan";
import { Invoices } from "./pages/Invoices";
import { Payments } from "./pages/Payments";
import { Settings } from "./pages/Settings";
import { Requests } from "./pages/Requests";
import { Backups } from "./pages/Backups";
import { Members } from "./pages/Members";
import { Batch } from "./pages/Batch";
import { NotFound } from "./pages/NotFound";
import { Loading } from "./components/ui";

// The finance console (and its chart library) is a chunk of its own: a customer never downloads it.
const Console = lazy(() => import("./console/Console"));

function useSignedIn(): boolean {
  return useSyncExternalStore(onAuthChange, () => accessToken() !== null);
}

export function App() {
  const signedIn = useSignedIn();
  const brand = config().brand;
  return (
    <>
      <a className="skip" href="#conteudo">
        Pular para o conteúdo
      </a>
      <header className="top">
        <Link to={signedIn ? home() : "/entrar"} className="brand">
          {brand.logoUrl ? <img src={brand.logoUrl} alt="" height={28} /> : null}
          <span>{brand.name}</span>
        </Link>
        {signedIn && <UserMenu />}
      </header>
      <Routes>
        <Route path="/entrar" element={<Main><SignIn /></Main>} />
        <Route element={<RequireSignIn />}>
          <Route path="/contas" element={<Main><Accounts /></Main>} />
          <Route path="/contas/:accountId" element={<AccountLayout />}>
            <Route index element={<Navigate to="assinaturas" replace />} />
            <Route path="assinaturas" element={<Subscriptions />} />
            <Route path="assinaturas/:subscriptionId" element={<Plan />} />
            <Route path="faturas" element={<Invoices />} />
            <Route path="pagamentos" element={<Payments />} />
            <Route path="configuracoes" element={<Settings />} />
            <Route path="solicitacoes" element={<Requests />} />
            <Route path="backups" element={<Backups />} />
            <Route path="membros" element={<Members />} />
            <Route path="lotes/:subscriptionId" element={<Batch />} />
          </Route>
          <Route
            path="/financeiro/*"
            element={
              <Suspense fallback={<Main><Loading /></Main>}>
                <Console />
              </Suspense>
            }
          />
        </Route>
        <Route path="/" element={<Navigate to={signedIn ? home() : "/entrar"} replace />} />
        <Route path="*" element={<Main><NotFound /></Main>} />
      </Routes>
    </>
  );
}

function Main({ children }: { children: React.ReactNode }) {
  return (
    <main id="conteudo" className="main">
      {children}
    </main>
  );
}

function UserMenu() {
  const navigate = useNavigate();
  const who = claims();
  return (
    <div className="user">
      {isFinanceStaff() && (
        <>
          <NavLink to="/financeiro">Console financeiro</NavLink>
          <NavLink to="/contas" end>
            Minhas contas
          </NavLink>
        </>
      )}
      <span className="who">{who?.email ?? who?.sub}</span>
      <button
        type="button"
        className="link"
        onClick={() => {
          signOut();
          navigate("/entrar");
        }}
      >
        Sair
      </button>
    </div>
  );
}

function RequireSignIn() {
  const signedIn = useSignedIn();
  const location = useLocation();
  if (!signedIn) {
    const next = location.pathname + location.search;
    return <Navigate to={`/entrar?proxima=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}

const NAV: { to: string; text: string; need: "any" | "billing" }[] = [
  { to: "assinaturas", text: "Minhas assinaturas", need: "billing" },
  { to: "faturas", text: "Faturas", need: "billing" },
  { to: "pagamentos", text: "Histórico de pagamentos", need: "billing" },
  { to: "configuracoes", text: "Configurações", need: "billing" },
  { to: "solicitacoes", text: "Solicitações", need: "billing" },
  { to: "backups", text: "Backups", need: "billing" },
  { to: "membros", text: "Membros", need: "billing" },
];

function AccountLayout() {
  const { accountId } = useParams();
  const [account, setAccount] = useState<Account | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(async () => {
    try {
      const value = await unwrap(api().GET("/v1/accounts/{account_id}", { params: { path: { account_id: accountId! } } }));
      setAccount(value);
      setError(null);
    } catch (caught) {
      setError(caught);
    }
  }, [accountId]);
  useEffect(() => {
    setAccount(null);
    void reload();
  }, [reload]);
  const allowed = can(account?.role);
  return (
    <AccountContext.Provider value={{ account, error, reload }}>
      <div className="layout">
        <nav aria-label="Menu da conta" className="side">
          <p className="account-name">
            {account ? account.name : "Conta"}
            {account && <span className="role">{label(ROLE, account.role)}</span>}
          </p>
          <ul>
            <li>
              <NavLink to="/contas" end>
                Minhas contas
              </NavLink>
            </li>
            {NAV.filter((item) => item.need === "any" || allowed.billing).map((item) => (
              <li key={item.to}>
                <NavLink to={`/contas/${accountId}/${item.to}`}>{item.text}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main id="conteudo" className="main">
          <Outlet />
        </main>
      </div>
    </AccountContext.Provider>
  );
}
