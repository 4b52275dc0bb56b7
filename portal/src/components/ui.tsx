import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { useLocation } from "react-router-dom";
import { config } from "../config";
import { messageOf } from "../api/client";

// The first screen of a visit leaves the focus at the top (the skip link comes first); every later
// navigation moves it to the new screen's h1, which screen readers then announce.
let firstScreen = true;

/** A page: its single h1, which takes the focus after every navigation. */
export function Page({ title, children, intro }: { title: string; children?: ReactNode; intro?: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const location = useLocation();
  useEffect(() => {
    document.title = `${title} · ${config().brand.name}`;
  }, [title]);
  useEffect(() => {
    if (firstScreen) {
      firstScreen = false;
      return;
    }
    heading.current?.focus();
  }, [location.pathname]);
  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {intro && <p className="intro">{intro}</p>}
      {children}
    </>
  );
}

/** The API's pt-BR message, next to the control that caused it (aria-describedby points here). */
export function ErrorText({ id, error }: { id: string; error: string | null | undefined }) {
  return (
    <p id={id} className="error" role="alert" hidden={!error}>
      {error ?? ""}
    </p>
  );
}

export function Done({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p className="done" role="status">
      {message}
    </p>
  );
}

export function Loading() {
  return (
    <p className="loading" role="status">
      Carregando…
    </p>
  );
}

export function LoadError({ error }: { error: unknown }) {
  return (
    <p className="error" role="alert">
      {messageOf(error)}
    </p>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  const headingId = `${id ?? slug(title)}-titulo`;
  return (
    <section className="card" aria-labelledby={headingId} id={id}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

export function slug(text: string): string {
  return text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** Loads once per dependency change; `reload()` fetches again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const run = useCallback(load, deps);
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const value = await run();
      if (mine === generation.current) {
        setData(value);
        setError(null);
      }
    } catch (caught) {
      if (mine === generation.current) setError(caught);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, [run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, loading, reload, setData };
}

/** A button's action with its own busy state and error message. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = useCallback(async <T,>(action: () => Promise<T>, success?: string | ((value: T) => string)) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const value = await action();
      if (success) setDone(typeof success === "function" ? success(value) : success);
      return value;
    } catch (caught) {
      setError(messageOf(caught));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, done, run, setError, setDone };
}

export function CopyButton({ text, label, copiedLabel }: { text: string; label: string; copiedLabel: string }) {
  const [copied, setCopied] = useState(false);
  const [failed, setFailed] = useState(false);
  return (
    <>
      <button
        type="button"
        className="secondary"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(text);
            setCopied(true);
            setFailed(false);
            window.setTimeout(() => setCopied(false), 4000);
          } catch {
            setFailed(true);
          }
        }}
      >
        {label}
      </button>
      <span role="status" className="copied">
        {copied ? copiedLabel : failed ? "Não foi possível copiar; selecione o texto e copie." : ""}
      </span>
    </>
  );
}
