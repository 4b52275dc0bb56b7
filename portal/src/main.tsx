import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";
import { loadConfig } from "./config";
import { restoreSession } from "./auth";
import { App } from "./App";
import "./styles.css";

async function start() {
  const root = createRoot(document.getElementById("root")!);
  try {
    const settings = await loadConfig();
    const style = document.documentElement.style;
    if (settings.brand.primaryColor) style.setProperty("--brand", settings.brand.primaryColor);
    restoreSession();
    root.render(
      <StrictMode>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </StrictMode>,
    );
  } catch (error) {
    root.render(
      <main id="conteudo">
        <h1>Portal indisponível</h1>
        <p role="alert">Não foi possível carregar a configuração do portal ({String(error)}).</p>
      </main>,
    );
  }
}

void start();
