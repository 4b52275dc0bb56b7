// The account in the path, loaded once for all its screens, with the signed-in person's role.
import { createContext, useContext } from "react";
import type { Schemas } from "./api/client";

export type Account = Schemas["AccountOut"];

export interface AccountState {
  account: Account | null;
  error: unknown;
  reload: () => Promise<void>;
}

export const AccountContext = createContext<AccountState>({ account: null, error: null, reload: async () => {} });

export function useAccount() {
  return useContext(AccountContext);
}

export type Role = "owner" | "admin" | "finance" | "member";

/** What a role may do (PRODUCT.md §1); the API still decides, the portal only does not offer the rest. */
export function can(role: string | undefined) {
  const billing = role === "owner" || role === "admin" || role === "finance";
  const manager = role === "owner" || role === "admin";
  return {
    billing,
    planChange: manager,
    manageMembers: manager,
    backupOwner: role === "owner",
  };
}
