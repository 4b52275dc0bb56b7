// Runtime settings read from /config.json at start-up: the same build serves every stage; the
// deployment (or `make run`) writes the file, never the bundle.
export interface DevUser {
  label: string;
  email: string;
  token: string;
  accountId?: string;
}

export interface CognitoSettings {
  domain: string; // https://<prefix>.auth.<region>.amazoncognito.com
  clientId: string;
  redirectUri?: string; // defaults to <origin>/entrar
  scopes?: string[];
}

export interface Brand {
  name: string;
  primaryColor?: string;
  logoUrl?: string | null;
}

export interface PortalConfig {
  stage: string;
  apiUrl: string;
  brand: Brand;
  cognito?: CognitoSettings | null;
  devUsers?: DevUser[];
}

let current: PortalConfig | null = null;

export async function loadConfig(): Promise<PortalConfig> {
  const response = await fetch("/config.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
  const raw = (await response.json()) as Partial<PortalConfig>;
  if (!raw.apiUrl) throw new Error("config.json sem apiUrl");
  current = {
    stage: raw.stage ?? "prod",
    apiUrl: raw.apiUrl.replace(/\/+$/, ""),
    brand: { name: "Portal do cliente", ...(raw.brand ?? {}) },
    cognito: raw.cognito ?? null,
    devUsers: raw.devUsers ?? [],
  };
  return current;
}

export function config(): PortalConfig {
  if (!current) throw new Error("config.json ainda não carregado");
  return current;
}

export function isLocalStage(): boolean {
  return config().stage === "local";
}
