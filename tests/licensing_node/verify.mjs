// An independent verifier of Renova license files, as a vendor's program written in JavaScript
// would check one offline: only the published JWKS (a file saved beside the program) and `jose`.
// Usage: node verify.mjs <jwks.json> <license file>   (prints the verified claims as JSON)
// Exit codes: 0 verified, 2 signature or format refused, 3 expired.
import { readFileSync } from "node:fs";
import { createLocalJWKSet, jwtVerify, errors } from "jose";

const [jwksPath, tokenPath] = process.argv.slice(2);
const jwks = createLocalJWKSet(JSON.parse(readFileSync(jwksPath, "utf8")));
const token = readFileSync(tokenPath, "utf8").trim();
const currentDate = process.env.VERIFY_AT ? new Date(process.env.VERIFY_AT) : undefined;

try {
  const { payload, protectedHeader } = await jwtVerify(token, jwks, { algorithms: ["EdDSA"], currentDate });
  process.stdout.write(JSON.stringify({ header: protectedHeader, claims: payload }));
} catch (error) {
  process.stderr.write(`${error.code ?? error.name}: ${error.message}\n`);
  process.exit(error instanceof errors.JWTExpired ? 3 : 2);
}
