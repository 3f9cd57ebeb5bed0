// Verifies a service-account token from the real auth server with npm jose, an independent JWT
// implementation, against the JWKS the server publishes.
//   node jose_verify.mjs < {"token", "jwks", "audience", "issuer"}
// Prints the verified claims and header as JSON; exits 1 if verification fails or jose is
// missing.
import {createRequire} from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const modules = process.env.BULWARK_NODE_MODULES;
if (!modules) {
  console.error('BULWARK_NODE_MODULES is not set; run through ./dev test');
  process.exit(1);
}
const require = createRequire(path.join(modules, 'noop.js'));
const jose = await import(pathToFileURL(require.resolve('jose')).href);
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
try {
  const keys = jose.createLocalJWKSet(input.jwks);
  const {payload, protectedHeader} = await jose.jwtVerify(input.token, keys, {
    audience: input.audience, issuer: input.issuer, algorithms: ['EdDSA'],
  });
  process.stdout.write(JSON.stringify({payload, header: protectedHeader}) + '\n');
} catch (err) {
  console.error(`jose rejected the token: ${err.code || ''} ${err.message}`);
  process.exit(1);
}
