// Checks made as the person types (the API checks again): CPF/CNPJ check digits and the CEP.
export function digits(value: string): string {
  return value.replace(/\D/g, "");
}

function cpfValid(cpf: string): boolean {
  if (cpf.length !== 11 || /^(\d)\1{10}$/.test(cpf)) return false;
  const n = cpf.split("").map(Number);
  for (const size of [9, 10]) {
    let sum = 0;
    for (let i = 0; i < size; i++) sum += n[i] * (size + 1 - i);
    const check = ((sum * 10) % 11) % 10;
    if (check !== n[size]) return false;
  }
  return true;
}

function cnpjValid(cnpj: string): boolean {
  if (cnpj.length !== 14 || /^(\d)\1{13}$/.test(cnpj)) return false;
  const n = cnpj.split("").map(Number);
  for (const size of [12, 13]) {
    let sum = 0;
    let weight = size - 7;
    for (let i = 0; i < size; i++) {
      sum += n[i] * weight;
      weight = weight === 2 ? 9 : weight - 1;
    }
    const rest = sum % 11;
    const check = rest < 2 ? 0 : 11 - rest;
    if (check !== n[size]) return false;
  }
  return true;
}

/** The message to show under the field, or null when the document is valid. */
export function documentProblem(value: string): string | null {
  const d = digits(value);
  if (!d) return "Informe o CPF ou o CNPJ.";
  if (d.length === 11) return cpfValid(d) ? null : "CPF inválido: confira os dígitos.";
  if (d.length === 14) return cnpjValid(d) ? null : "CNPJ inválido: confira os dígitos.";
  if (d.length < 11) return "CPF tem 11 dígitos; CNPJ tem 14.";
  return d.length < 14 ? "CNPJ tem 14 dígitos." : "Número grande demais para CPF ou CNPJ.";
}

export function formatDocument(value: string): string {
  const d = digits(value).slice(0, 14);
  if (d.length <= 11) {
    return d.replace(/^(\d{3})(\d)/, "$1.$2").replace(/^(\d{3})\.(\d{3})(\d)/, "$1.$2.$3").replace(/\.(\d{3})(\d{1,2})$/, ".$1-$2");
  }
  return d
    .replace(/^(\d{2})(\d)/, "$1.$2")
    .replace(/^(\d{2})\.(\d{3})(\d)/, "$1.$2.$3")
    .replace(/\.(\d{3})(\d)/, ".$1/$2")
    .replace(/(\d{4})(\d{1,2})$/, "$1-$2");
}

export function cepProblem(value: string): string | null {
  const d = digits(value);
  if (d.length !== 8) return "O CEP tem 8 dígitos.";
  return null;
}

export function formatCep(value: string): string {
  const d = digits(value).slice(0, 8);
  return d.length > 5 ? `${d.slice(0, 5)}-${d.slice(5)}` : d;
}

export function emailsProblem(list: string[]): string | null {
  if (!list.length) return "Informe ao menos um e-mail de cobrança.";
  const bad = list.find((e) => !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e));
  return bad ? `E-mail inválido: ${bad}` : null;
}
