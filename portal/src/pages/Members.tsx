// "Membros": people of the account and their roles; owner and admins invite, change roles, deactivate.
import { useState } from "react";
import { api, unwrap, type Schemas } from "../api/client";
import { AccountPage } from "../components/AccountPage";
import { Done, ErrorText, LoadError, Loading, Section, useAction, useLoad } from "../components/ui";
import { label, ROLE } from "../format";

type Member = Schemas["MemberOut"];
type AssignableRole = Schemas["MemberInvite"]["role"];

export function Members() {
  return (
    <AccountPage title="Membros" intro="Quem participa da conta. Inative quem não usa mais o sistema para liberar licenças na renovação.">
      {(account, allowed) => <MembersBody accountId={account.id} manage={allowed.manageMembers} />}
    </AccountPage>
  );
}

function MembersBody({ accountId, manage }: { accountId: string; manage: boolean }) {
  const list = useLoad(
    () => unwrap(api().GET("/v1/accounts/{account_id}/members", { params: { path: { account_id: accountId }, query: { limit: 100 } } })),
    [accountId],
  );
  return (
    <div className="grid">
      <Section title="Pessoas">
        {list.error ? <LoadError error={list.error} /> : null}
        {!list.data && !list.error && <Loading />}
        {list.data && (
          <div className="table-wrap">
            <table>
              <caption className="sr-only">Membros da conta</caption>
              <thead>
                <tr>
                  <th scope="col">E-mail</th>
                  <th scope="col">Papel</th>
                  <th scope="col">Situação</th>
                  {manage && <th scope="col">Ações</th>}
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((member) => (
                  <MemberRow key={member.user_id} accountId={accountId} member={member} manage={manage} onDone={list.reload} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
      {manage && <Invite accountId={accountId} onDone={list.reload} />}
    </div>
  );
}

function MemberRow({ accountId, member, manage, onDone }: { accountId: string; member: Member; manage: boolean; onDone: () => Promise<void> }) {
  const action = useAction();
  const [role, setRole] = useState(member.role);
  const editable = manage && member.role !== "owner";
  const errorId = `membro-${member.user_id}-erro`;
  const patch = async (body: Schemas["MemberPatch"], done: string) => {
    const saved = await action.run(
      () =>
        unwrap(
          api().PATCH("/v1/accounts/{account_id}/members/{user_id}", {
            params: { path: { account_id: accountId, user_id: member.user_id } },
            body,
          }),
        ),
      done,
    );
    if (saved) await onDone();
  };
  return (
    <tr>
      <th scope="row">{member.email}</th>
      <td>
        {editable ? (
          <>
            <label htmlFor={`papel-${member.user_id}`} className="sr-only">
              Papel de {member.email}
            </label>
            <select
              id={`papel-${member.user_id}`}
              value={role}
              aria-describedby={errorId}
              onChange={(e) => {
                setRole(e.target.value);
                void patch({ role: e.target.value as AssignableRole }, `Papel de ${member.email} alterado.`);
              }}
            >
              {(["admin", "finance", "member"] as const).map((key) => (
                <option key={key} value={key}>
                  {label(ROLE, key)}
                </option>
              ))}
            </select>
          </>
        ) : (
          label(ROLE, member.role)
        )}
      </td>
      <td>{member.active ? (member.invited ? "Convidado" : "Ativo") : "Inativo"}</td>
      {manage && (
        <td>
          {editable && (
            <button
              type="button"
              className="secondary"
              disabled={action.busy}
              aria-describedby={errorId}
              aria-label={member.active ? `Inativar ${member.email}` : `Reativar ${member.email}`}
              onClick={() =>
                void patch(
                  { active: !member.active },
                  member.active ? `${member.email} inativado.` : `${member.email} reativado.`,
                )
              }
            >
              {member.active ? "Inativar" : "Reativar"}
            </button>
          )}
          <ErrorText id={errorId} error={action.error} />
          <Done message={action.done} />
        </td>
      )}
    </tr>
  );
}

function Invite({ accountId, onDone }: { accountId: string; onDone: () => Promise<void> }) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<AssignableRole>("member");
  const action = useAction();
  return (
    <Section title="Convidar pessoa">
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const invited = await action.run(
            () => unwrap(api().POST("/v1/accounts/{account_id}/members", { params: { path: { account_id: accountId } }, body: { email, role } })),
            `Convite enviado para ${email}.`,
          );
          if (invited) {
            setEmail("");
            await onDone();
          }
        }}
      >
        <div className="row">
          <div>
            <label htmlFor="convite-email">E-mail</label>
            <input id="convite-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="off" />
          </div>
          <div>
            <label htmlFor="convite-papel">Papel</label>
            <select id="convite-papel" value={role} onChange={(e) => setRole(e.target.value as AssignableRole)}>
              <option value="admin">{ROLE.admin}</option>
              <option value="finance">{ROLE.finance}</option>
              <option value="member">{ROLE.member}</option>
            </select>
          </div>
        </div>
        <ErrorText id="convite-erro" error={action.error} />
        <button type="submit" disabled={action.busy} aria-describedby="convite-erro">
          Convidar
        </button>
        <Done message={action.done} />
      </form>
    </Section>
  );
}
