// The Painel's period (first and last month) and product. A month left empty is the API's default.
import { useState, type FormEvent } from "react";
import { messageOf, type Schemas } from "../api/client";
import { ErrorText } from "../components/ui";
import type { Range } from "./metrics";

export function RangeForm({
  range,
  products,
  error,
  onChange,
}: {
  range: Range;
  products: Schemas["ProductOut"][];
  error: unknown;
  onChange: (range: Range) => void;
}) {
  const [from, setFrom] = useState(range.from ?? "");
  const [to, setTo] = useState(range.to ?? "");
  const [productId, setProductId] = useState(range.productId);
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (from && to && from > to) {
      setProblem("O mês inicial precisa vir antes do final.");
      return;
    }
    setProblem(null);
    onChange({ from: from || null, to: to || null, productId });
  };
  return (
    <form className="filters card" onSubmit={submit} aria-label="Período e produto">
      <div>
        <label htmlFor="painel-de">De</label>
        <input id="painel-de" type="month" value={from} onChange={(e) => setFrom(e.target.value)} aria-describedby="painel-erro" />
      </div>
      <div>
        <label htmlFor="painel-ate">Até</label>
        <input id="painel-ate" type="month" value={to} onChange={(e) => setTo(e.target.value)} aria-describedby="painel-erro" />
      </div>
      <div className="product">
        <label htmlFor="painel-produto">Produto</label>
        <select id="painel-produto" value={productId} onChange={(e) => setProductId(e.target.value)}>
          <option value="">Todos os produtos</option>
          {products.map((product) => (
            <option key={product.id} value={product.id}>
              {product.name}
            </option>
          ))}
        </select>
      </div>
      <div>
        <button type="submit">Mostrar</button>
      </div>
      <ErrorText id="painel-erro" error={problem ?? (error ? messageOf(error) : null)} />
    </form>
  );
}
