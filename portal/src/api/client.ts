// The API client: openapi-fetch over the types generated from the API's OpenAPI document
// (schema.d.ts, `npm run gen:api`). Every request carries the signed-in person's bearer token.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import { accessToken, signOut } from "../auth";
import { config } from "../config";

export type Schemas = components["schemas"];

let client: ReturnType<typeof createClient<paths>> | null = null;

const bearer: Middleware = {
  onRequest({ request }) {
    const token = accessToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) signOut();
    return response;
  },
};

export function api() {
  if (!client) {
    client = createClient<paths>({ baseUrl: config().apiUrl });
    client.use(bearer);
  }
  return client;
}

/** An API error as the person reads it: the pt-BR message of the error body. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const FALLBACK: Record<number, string> = {
  401: "Sua sessão expirou. Entre de novo.",
  403: "Seu papel nesta conta não permite esta ação.",
  404: "Não encontrado.",
  429: "Muitas requisições. Aguarde um instante e tente de novo.",
};

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Unwraps an openapi-fetch answer: its data, or an ApiError with the API's message. */
export async function unwrap<T>(pending: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await pending;
  } catch {
    throw new ApiError("Não foi possível falar com o servidor. Verifique sua conexão e tente de novo.", 0, "network");
  }
  if (answer.response.ok) return answer.data as T;
  const body = answer.error as { error?: { code?: string; message?: string; details?: unknown } } | undefined;
  const status = answer.response.status;
  throw new ApiError(
    body?.error?.message ?? FALLBACK[status] ?? `Erro inesperado (HTTP ${status}).`,
    status,
    body?.error?.code ?? "unknown",
    body?.error?.details,
  );
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Erro inesperado.";
}
