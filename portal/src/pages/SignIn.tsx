import { useEffect, useState } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { finishHostedUiSignIn, home, hostedUiAvailable, signInWithToken, startHostedUiSignIn } from "../auth";
import { config, isLocalStage } from "../config";
import { ErrorText, Page, Section } from "../components/ui";

export function SignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = params.get("proxima");
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [hostedError, setHostedError] = useState<string | null>(null);
  const code = params.get("code");
  const state = params.get("state");

  useEffect(() => {
    if (!code || !state) return;
    finishHostedUiSignIn(code, state)
      .then((where) => navigate(where, { replace: true }))
      .catch((caught) => setHostedError(String(caught instanceof Error ? caught.message : caught)));
  }, [code, state, navigate]);

  const enter = (value: string) => {
    try {
      signInWithToken(value);
      navigate(next || home(), { replace: true });
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  };

  const users = config().devUsers ?? [];
  return (
    <Page title="Entrar" intro={`Acesse o portal de ${config().brand.name} para ver suas assinaturas, faturas e pagamentos.`}>
      {hostedUiAvailable() && (
        <Section title="Entrar com sua conta">
          <button type="button" onClick={() => void startHostedUiSignIn(next ?? "")} aria-describedby="entrar-erro">
            Entrar
          </button>
          <ErrorText id="entrar-erro" error={hostedError} />
        </Section>
      )}
      {isLocalStage() && (
        <>
          <Section title="Ambiente local">
            <form
              onSubmit={(event) => {
                event.preventDefault();
                enter(token);
              }}
            >
              <label htmlFor="token">Token de desenvolvimento</label>
              <textarea
                id="token"
                name="token"
                rows={3}
                value={token}
                onChange={(event) => setToken(event.target.value)}
                aria-describedby="token-ajuda token-erro"
                required
              />
              <p id="token-ajuda" className="hint">
                Um JWT assinado com o segredo local (AUTH_DEV_SECRET). Também funciona abrir qualquer endereço do portal
                com <code>#token=…</code>.
              </p>
              <ErrorText id="token-erro" error={error} />
              <button type="submit">Entrar com o token</button>
            </form>
          </Section>
          {users.length > 0 && (
            <Section title="Usuários de demonstração">
              <ul className="plain">
                {users.map((user) => (
                  <li key={user.email}>
                    <button type="button" className="secondary" onClick={() => enter(user.token)}>
                      Entrar como {user.email}
                    </button>{" "}
                    <span className="hint">{user.label}</span>
                  </li>
                ))}
              </ul>
            </Section>
          )}
        </>
      )}
    </Page>
  );
}
