// Independent checks of libraries/crypto with npm `jose` (and node's own crypto for the keyring
// format), driven by jose_interop_test.cc.
//
//   node jose_interop.mjs verify < request.json   # jose verifies tokens we signed, via our JWKS
//   node jose_interop.mjs sign < request.json     # jose signs a token for us to verify
//
// Prints one JSON object on stdout. Exits 1 with "FAIL: ..." on stderr when BULWARK_NODE_MODULES
// is unset or jose cannot be loaded: an interop test that cannot run must not pass.
import {createRequire} from 'node:module';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {pathToFileURL} from 'node:url';

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

const modules = process.env.BULWARK_NODE_MODULES;
if (!modules) {
  fail('BULWARK_NODE_MODULES is not set (run through ./dev test, or set it to ' +
       'tools/npm/node_modules); the jose interop test cannot run');
}
let jose;
try {
  const require = createRequire(path.join(modules, 'noop.js'));
  jose = await import(pathToFileURL(require.resolve('jose')).href);
} catch (err) {
  fail(`cannot load jose from ${modules}: ${err.message}`);
}

const request = JSON.parse(fs.readFileSync(0, 'utf8'));
const mode = process.argv[2];

// Opens a keyring value `v1.<kid>.<iv>.<ct>.<tag>` as keyring.h documents it, with node's
// crypto rather than our code.
function openSealed({value, key, associatedData}) {
  const parts = value.split('.');
  if (parts[0] !== 'v1' || parts.length < 5) throw new Error('not a v1 sealed value');
  const [iv, ct, tag] = parts.slice(-3).map((p) => Buffer.from(p, 'base64url'));
  const kid = parts.slice(1, -3).join('.');
  const decipher = crypto.createDecipheriv('aes-256-gcm', Buffer.from(key, 'base64'), iv);
  decipher.setAAD(Buffer.concat([
    Buffer.from('bulwark-keyring-v1'), Buffer.from([0]), Buffer.from(kid), Buffer.from([0]),
    Buffer.from(associatedData)]));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
}

async function verify() {
  const jwks = jose.createLocalJWKSet(request.jwks);
  const options = {
    algorithms: ['EdDSA'],
    issuer: request.issuer,
    subject: request.subject,
    audience: request.audience,
    requiredClaims: ['iss', 'sub', 'aud', 'iat', 'exp'],
    maxTokenAge: '1h',
    currentDate: new Date(request.now * 1000),
  };
  const results = [];
  for (const token of request.tokens) {
    try {
      const {payload, protectedHeader} = await jose.jwtVerify(token, jwks, options);
      results.push({ok: true, payload, protectedHeader});
    } catch (err) {
      results.push({ok: false, code: err.code || String(err)});
    }
  }
  const thumbprints = [];
  for (const jwk of request.jwks.keys) {
    thumbprints.push(await jose.calculateJwkThumbprint(jwk, 'sha256'));
  }
  const sealed = request.sealed ? {plaintext: openSealed(request.sealed)} : null;
  let tamperedSealed = null;
  if (request.tamperedSealed) {
    try {
      openSealed(request.tamperedSealed);
      tamperedSealed = {ok: true};
    } catch (err) {
      tamperedSealed = {ok: false, error: err.message};
    }
  }
  return {results, thumbprints, sealed, tamperedSealed};
}

async function sign() {
  const {publicKey, privateKey} =
      await jose.generateKeyPair('EdDSA', {crv: 'Ed25519', extractable: true});
  const jwk = {...await jose.exportJWK(publicKey), kid: request.kid, use: 'sig', alg: 'EdDSA'};
  const token = await new jose.SignJWT({scope: 'interop'})
                    .setProtectedHeader({alg: 'EdDSA', kid: request.kid, typ: 'JWT'})
                    .setIssuer(request.issuer)
                    .setSubject(request.subject)
                    .setAudience(request.audience)
                    .setIssuedAt(request.now)
                    .setExpirationTime(request.now + 600)
                    .sign(privateKey);
  return {jwk, token, pkcs8: await jose.exportPKCS8(privateKey), spki: await jose.exportSPKI(publicKey)};
}

const modes = {verify, sign};
if (!modes[mode]) fail(`unknown mode ${mode} (verify or sign)`);
process.stdout.write(JSON.stringify(await modes[mode]()));
