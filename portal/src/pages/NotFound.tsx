import { Link } from "react-router-dom";
import { Page } from "../components/ui";

export function NotFound() {
  return (
    <Page title="Página não encontrada">
      <p>
        Este endereço não existe. <Link to="/contas">Voltar para Minhas contas</Link>.
      </p>
    </Page>
  );
}
