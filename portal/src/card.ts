// The card number never reaches the Renova API: it is exchanged for a gateway token first. The local
// stage's gateway is a fake (chalicelib/adapters/gateways/fake.py) that accepts any token, so here the
// token is made in the browser; a deployed stage plugs its gateway's tokenizer (Stripe.js, Asaas) in.
import type { Schemas } from "./api/client";
import { isLocalStage } from "./config";
import { digits } from "./validation";

export interface CardInput {
  number: string;
  holder: string;
  expiry: string;
  cvc: string;
}

type Brand = Schemas["CardIn"]["brand"];

export function brandOf(number: string): Brand {
  const d = digits(number);
  if (/^(4011|4312|4389|4514|4576|5041|5066|5067|509|6277|6362|6363|650|6516|6550)/.test(d)) return "elo";
  if (/^4/.test(d)) return "visa";
  if (/^(5[1-5]|2[2-7])/.test(d)) return "mastercard";
  if (/^3[47]/.test(d)) return "amex";
  if (/^(606282|3841)/.test(d)) return "hipercard";
  if (/^3(0[0-5]|[68])/.test(d)) return "diners";
  if (/^6(011|5)/.test(d)) return "discover";
  if (/^35/.test(d)) return "jcb";
  return "other";
}

function luhn(d: string): boolean {
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let n = Number(d[d.length - 1 - i]);
    if (i % 2 === 1) {
      n *= 2;
      if (n > 9) n -= 9;
    }
    sum += n;
  }
  return sum % 10 === 0;
}

export async function tokenizeCard(card: CardInput): Promise<Schemas["CardIn"]> {
  const number = digits(card.number);
  if (number.length < 13 || number.length > 19 || !luhn(number)) throw new Error("Número de cartão inválido.");
  const match = /^(\d{1,2})\s*\/\s*(\d{2}|\d{4})$/.exec(card.expiry.trim());
  if (!match) throw new Error("Validade inválida: use MM/AA.");
  const month = Number(match[1]);
  const year = match[2].length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  if (month < 1 || month > 12) throw new Error("Mês de validade inválido.");
  if (!/^\d{3,4}$/.test(card.cvc.trim())) throw new Error("Código de segurança inválido.");
  if (!isLocalStage()) throw new Error("O cadastro de cartão não está configurado neste ambiente.");
  const random = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, "0")).join("");
  return { gateway_token: `tok_local_${random}`, brand: brandOf(number), last4: number.slice(-4), exp_month: month, exp_year: year };
}
