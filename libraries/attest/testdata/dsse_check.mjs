// An independent DSSE v1 implementation for dsse_interop_test.cc, written from the DSSE protocol
// description (PAE, envelope JSON) with node's own crypto only: no code shared with Bulwark.
//
//   node dsse_check.mjs verify < request.json   # {envelopes: [text...], jwks} -> {results: [...]}
//   node dsse_check.mjs sign < request.json     # {payloadType, payload, keyid} -> {envelope, jwk}
//   node dsse_check.mjs pae < request.json      # {payloadType, payload} -> {paeHex}
//
// Prints one JSON object on stdout; exits 1 with "FAIL: ..." on stderr on bad input.
import crypto from 'node:crypto';
import fs from 'node:fs';

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

// "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body; LEN = byte count in ASCII decimal.
function pae(type, body) {
  const t = Buffer.from(type, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${t.length} `, 'utf8'), t,
    Buffer.from(` ${body.length} `, 'utf8'), body,
  ]);
}

// Either standard or URL-safe base64 (node decodes both with 'base64'); refuse anything else.
function decode(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) {
    throw new Error('not base64');
  }
  return Buffer.from(text, 'base64');
}

function verify(envelopeText, jwks) {
  let env;
  try {
    env = JSON.parse(envelopeText);
  } catch (err) {
    return {ok: false, error: 'not JSON'};
  }
  if (typeof env.payloadType !== 'string' || !Array.isArray(env.signatures)) {
    return {ok: false, error: 'not an envelope'};
  }
  let body;
  try {
    body = decode(env.payload);
  } catch (err) {
    return {ok: false, error: 'payload is not base64'};
  }
  const message = pae(env.payloadType, body);
  for (const s of env.signatures) {
    const jwk = (jwks.keys || []).find((k) => k.kid === s.keyid);
    if (!jwk) continue;
    let sig;
    try {
      sig = decode(s.sig);
    } catch (err) {
      continue;
    }
    const key = crypto.createPublicKey({key: {kty: jwk.kty, crv: jwk.crv, x: jwk.x}, format: 'jwk'});
    if (crypto.verify(null, message, key, sig)) {
      let statement;
      try {
        statement = JSON.parse(body.toString('utf8'));
      } catch (err) {
        return {ok: false, error: 'payload is not JSON'};
      }
      return {ok: true, keyid: s.keyid, payloadType: env.payloadType, statement};
    }
  }
  return {ok: false, error: 'no signature verifies'};
}

const mode = process.argv[2];
const request = JSON.parse(fs.readFileSync(0, 'utf8'));
if (mode === 'verify') {
  console.log(JSON.stringify({results: request.envelopes.map((e) => verify(e, request.jwks))}));
} else if (mode === 'sign') {
  const {publicKey, privateKey} = crypto.generateKeyPairSync('ed25519');
  const body = Buffer.from(request.payload, 'utf8');
  const sig = crypto.sign(null, pae(request.payloadType, body), privateKey);
  const jwk = publicKey.export({format: 'jwk'});
  console.log(JSON.stringify({
    envelope: JSON.stringify({
      payload: body.toString('base64'),
      payloadType: request.payloadType,
      signatures: [{keyid: request.keyid, sig: sig.toString('base64')}],
    }),
    jwk: {...jwk, kid: request.keyid, use: 'sig', alg: 'EdDSA'},
  }));
} else if (mode === 'pae') {
  console.log(JSON.stringify(
      {paeHex: pae(request.payloadType, Buffer.from(request.payload, 'utf8')).toString('hex')}));
} else {
  fail(`unknown mode ${mode}`);
}
