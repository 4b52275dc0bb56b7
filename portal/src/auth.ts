// Who is signed in. Tokens live in memory; the local stage also keeps its development token in
// sessionStorage so that a reload keeps the session. The deployed stage signs in through Cognito's
// Hosted UI (OAuth 2 authorization code with PKCE) and refreshes the tokens before they expire.
import { config, isLocalStage } from "./config";

type Listener = () => void;

interface Session {
  accessToken: string;
  refreshToken?: string;
  expiresAt?: number; // epoch ms
}

const DEV_KEY = "renova.devToken";
const PKCE_KEY = "renova.pkce";
let session: Session | null = null;
let refreshTimer: number | undefined;
const listeners = new Set<Listener>();

function notify() {
  listeners.forEach((listener) => listener());
}

export function onAuthChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function accessToken(): string | null {
  return session?.accessToken ?? null;
}

export interface Claims {
  sub?: string;
  email?: string;
  exp?: number;
  groups?: string[];
  "cognito:groups"?: string[];
}

export function claims(): Claims | null {
  const token = accessToken();
  if (!token) return null;
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = decodeURIComponent(
      Array.from(atob(payload), (c) => "%" + c.charCodeAt(0).toString(16).padStart(2, "0")).join(""),
    );
    return JSON.parse(json) as Claims;
  } catch {
    return null;
  }
}

const FINANCE_GROUP = "finance";

/** Whether the token puts the person in the vendor's finance team: the console is offered only then
 * (the API still answers 403 to anyone else). */
export function isFinanceStaff(): boolean {
  const who = claims();
  return [...(who?.groups ?? []), ...(who?.["cognito:groups"] ?? [])].includes(FINANCE_GROUP);
}

/** Where a signed-in person starts: the console for the finance team, their accounts for everyone else. */
export function home(): string {
  return isFinanceStaff() ? "/financeiro" : "/contas";
}

export function signInWithToken(token: string) {
  const trimmed = token.trim();
  if (trimmed.split(".").length !== 3) throw new Error("O token precisa ser um JWT (três partes separadas por ponto).");
  session = { accessToken: trimmed };
  if (isLocalStage()) sessionStorage.setItem(DEV_KEY, trimmed);
  notify();
}

export function signOut() {
  session = null;
  window.clearTimeout(refreshTimer);
  sessionStorage.removeItem(DEV_KEY);
  notify();
}

/** At start-up: `#token=<jwt>` on any route (local stage), or the token kept for this tab. */
export function restoreSession() {
  const hash = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  const fromHash = hash.get("token");
  if (fromHash && isLocalStage()) {
    try {
      signInWithToken(fromHash);
    } finally {
      hash.delete("token");
      const rest = hash.toString();
      window.history.replaceState(null, "", window.location.pathname + window.location.search + (rest ? "#" + rest : ""));
    }
    return;
  }
  const kept = isLocalStage() ? sessionStorage.getItem(DEV_KEY) : null;
  if (kept) session = { accessToken: kept };
}

// --- Cognito Hosted UI, authorization code with PKCE ------------------------------------------

function base64Url(bytes: Uint8Array): string {
  let text = "";
  bytes.forEach((b) => (text += String.fromCharCode(b)));
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function redirectUri(): string {
  return config().cognito?.redirectUri ?? `${window.location.origin}/entrar`;
}

export function hostedUiAvailable(): boolean {
  return Boolean(config().cognito?.domain && config().cognito?.clientId);
}

export async function startHostedUiSignIn(next: string) {
  const cognito = config().cognito;
  if (!cognito) return;
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, next }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: cognito.clientId,
    redirect_uri: redirectUri(),
    scope: (cognito.scopes ?? ["openid", "email", "profile"]).join(" "),
    state,
    code_challenge: base64Url(digest),
    code_challenge_method: "S256",
  });
  window.location.assign(`${cognito.domain.replace(/\/+$/, "")}/oauth2/authorize?${query}`);
}

async function tokenRequest(body: Record<string, string>): Promise<Session> {
  const cognito = config().cognito!;
  const response = await fetch(`${cognito.domain.replace(/\/+$/, "")}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: cognito.clientId, ...body }),
  });
  if (!response.ok) throw new Error("Não foi possível concluir a entrada. Tente de novo.");
  const answer = (await response.json()) as { access_token: string; refresh_token?: string; expires_in: number };
  return {
    accessToken: answer.access_token,
    refreshToken: answer.refresh_token ?? session?.refreshToken,
    expiresAt: Date.now() + answer.expires_in * 1000,
  };
}

function scheduleRefresh() {
  window.clearTimeout(refreshTimer);
  if (!session?.refreshToken || !session.expiresAt) return;
  const inMs = Math.max(5_000, session.expiresAt - Date.now() - 60_000);
  refreshTimer = window.setTimeout(async () => {
    try {
      session = await tokenRequest({ grant_type: "refresh_token", refresh_token: session!.refreshToken! });
      scheduleRefresh();
      notify();
    } catch {
      signOut();
    }
  }, inMs);
}

/** On /entrar?code=...&state=...: exchanges the code; returns where to go next. */
export async function finishHostedUiSignIn(code: string, state: string): Promise<string> {
  const kept = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? "null") as
    | { verifier: string; state: string; next: string }
    | null;
  sessionStorage.removeItem(PKCE_KEY);
  if (!kept || kept.state !== state) throw new Error("A resposta da entrada não confere. Tente de novo.");
  session = await tokenRequest({
    grant_type: "authorization_code",
    code,
    code_verifier: kept.verifier,
    redirect_uri: redirectUri(),
  });
  scheduleRefresh();
  notify();
  return kept.next || home();
}
