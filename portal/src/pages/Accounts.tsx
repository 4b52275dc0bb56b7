import { useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../api/client";
import { can } from "../account";
import { label, ROLE } from "../format";
import { ErrorText, LoadError, Loading, Page, Section, useAction, useLoad } from "../components/ui";

export function Accounts() {
  const accounts = useLoad(() => unwrap(api().GET("/v1/accounts", { params: { query: { limit: 100 } } })), []);
  const create = useAction();
  const [name, setName] = useState("");
  return (
    <Page title="Minhas contas">
      {accounts.loading && !accounts.data && <Loading />}
      {accounts.error ? <LoadError error={accounts.error} /> : null}
      {accounts.data && accounts.data.items.length === 0 && <p>Você ainda não participa de nenhuma conta.</p>}
      {accounts.data && accounts.data.items.length > 0 && (
        <ul className="tiles">
          {accounts.data.items.map((account) => (
            <li key={account.id} className="card">
              <h2>{account.name}</h2>
              <p>
                Seu papel: <strong>{label(ROLE, account.role)}</strong>
              </p>
              {can(account.role).billing ? (
                <Link to={`/contas/${account.id}/assinaturas`} aria-label={`Abrir conta ${account.name}`}>
                  Abrir conta
                </Link>
              ) : (
                <p className="hint">As telas de cobrança desta conta são para proprietário, administradores e financeiro.</p>
              )}
            </li>
          ))}
        </ul>
      )}
      <Section title="Nova conta">
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            const created = await create.run(
              () => unwrap(api().POST("/v1/accounts", { body: { name } })),
              (value) => `Conta ${value.name} criada.`,
            );
            if (created) {
              setName("");
              await accounts.reload();
            }
          }}
        >
          <label htmlFor="nova-conta">Nome da conta</label>
          <input id="nova-conta" value={name} onChange={(e) => setName(e.target.value)} required aria-describedby="nova-conta-erro" />
          <ErrorText id="nova-conta-erro" error={create.error} />
          <button type="submit" disabled={create.busy}>
            Criar conta
          </button>
          {create.done && <p role="status" className="done">{create.done}</p>}
        </form>
      </Section>
    </Page>
  );
}
