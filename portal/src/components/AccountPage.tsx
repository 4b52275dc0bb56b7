import type { ReactNode } from "react";
import { useAccount, can, type Account } from "../account";
import { LoadError, Loading, Page } from "./ui";

/** A screen of an account: its h1 at once; its body when the account (and the role) is known. */
export function AccountPage({
  title,
  children,
  intro,
}: {
  title: string;
  intro?: ReactNode;
  children: (account: Account, allowed: ReturnType<typeof can>) => ReactNode;
}) {
  const { account, error } = useAccount();
  const allowed = can(account?.role);
  return (
    <Page title={title} intro={intro}>
      {error ? <LoadError error={error} /> : null}
      {!account && !error && <Loading />}
      {account && !allowed.billing && (
        <p className="notice">
          Esta tela é para o proprietário, os administradores e o responsável financeiro da conta.
        </p>
      )}
      {account && allowed.billing && children(account, allowed)}
    </Page>
  );
}
