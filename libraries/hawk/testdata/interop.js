// Interop vectors for libraries/hawk, made with the npm packages Taskcluster clients use
// (hawk 9.0.2, taskcluster-client 87.1.3), for interop_test.cc.
//
//   node interop.js vectors NOW_SECONDS   prints one JSON document: clients and roles, Hawk
//                                         headers and temporary credentials made by the npm
//                                         packages with the expected verdicts, and hawk's own
//                                         parser and MAC outputs for differential checks
//   node interop.js verify FILE           FILE holds headers and credentials made by the C++
//                                         library; prints, for each, what npm hawk's server (and
//                                         the certificate check as Taskcluster's server does it)
//                                         says of it
//
// Fails (exit 1) when BULWARK_NODE_MODULES is unset or a package is missing or of another
// version: an interop test that cannot run must not pass.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const {pathToFileURL} = require('url');

const die = message => {
  console.error(`FAIL: ${message}`);
  process.exit(1);
};
const modules = process.env.BULWARK_NODE_MODULES;
if (!modules) {
  die('BULWARK_NODE_MODULES is not set (run through ./dev test, or set it to ' +
    'tools/npm/node_modules); the interop test cannot run');
}
const requireModule = name => {
  try {
    return require(path.join(modules, name));
  } catch (err) {
    return die(`cannot load ${name} from ${modules}: ${err.message}`);
  }
};
const Hawk = requireModule('hawk');
const libScopes = requireModule('taskcluster-lib-scopes');
const hawkVersion = requireModule('hawk/package.json').version;
const tcVersion = requireModule('taskcluster-client/package.json').version;
if (hawkVersion !== '9.0.2') die(`expected hawk 9.0.2, found ${hawkVersion}`);

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const RESOURCE = '/bulwark.queue.v1.Queue/CreateTask';

// A small deterministic generator, so that the differential inputs are reproducible.
const lcg = seed => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};

function vectors(tc, now) {
  const nowMs = now * 1000;
  const clients = {
    'root': {accessToken: 'rootToken-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8', scopes: ['*'],
      expires: nowMs + 2 * HOUR},
    'unpriv': {accessToken: 'unprivToken-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q', scopes: ['scope2'],
      expires: nowMs + 2 * HOUR},
    'worker-manager': {accessToken: 'wmToken-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8s9',
      scopes: ['assume:worker-pool:*', 'auth:create-client:worker/*', 'queue:claim-work:*'],
      expires: nowMs + 2 * HOUR},
  };
  const roles = [
    {roleId: 'anonymous', scopes: ['anonscope']},
    {roleId: 'worker-pool:*', scopes: ['queue:worker-id:<..>/*']},
  ];
  const creds = id => ({clientId: id, accessToken: clients[id].accessToken});
  // The expected final scopes: with the anonymous role, sorted and normalized as
  // taskcluster-lib-scopes does.
  const anon = scopes => libScopes.normalizeScopeSet(
    ['anonscope', 'assume:anonymous', ...scopes].sort(libScopes.scopeCompare));

  // The ext a taskcluster-client Client sends for these options.
  const clientExt = options =>
    new tc.Queue({rootUrl: 'https://tc.example.com', ...options})._extData;
  const temp = (issuer, options) => tc.createTemporaryCredentials({
    start: new Date(nowMs), expiry: new Date(nowMs + HOUR), credentials: creds(issuer),
    ...options});

  const requests = [];
  const add = (name, {id, key, uri, method, ext, tsOffset, ...hawkOptions}, expect) => {
    uri = uri || `http://queue.example.com:50052${RESOURCE}`;
    const {header} = Hawk.client.header(uri, method || 'POST', {
      credentials: {id, key, algorithm: 'sha256'},
      timestamp: now + (tsOffset || 0), ext, ...hawkOptions});
    const url = new URL(uri);
    requests.push({name, resource: url.pathname, authority: url.host, authorization: header,
      expect});
  };
  const ok = (clientId, scopes, extra) =>
    ({status: 'auth-success', clientId, scopes, expires: nowMs + 2 * HOUR, ...extra});
  const failed = message => ({status: 'auth-failed', message});
  const withCreds = (credentials, options) => ({
    id: credentials.clientId, key: credentials.accessToken,
    ext: clientExt({credentials, ...options})});

  add('root_permanent', withCreds(creds('root')), ok('root', ['*']));
  add('unpriv_permanent', withCreds(creds('unpriv')), ok('unpriv', anon(['scope2'])));
  add('worker_manager_roles_expanded', withCreds(creds('worker-manager')),
    ok('worker-manager', anon(['assume:worker-pool:*', 'auth:create-client:worker/*',
      'queue:claim-work:*', 'queue:worker-id:*'])));
  const payload = {payload: '{"taskId":"x"}', contentType: 'application/json; charset=utf-8'};
  add('payload_hash', {...withCreds(creds('root')), ...payload}, ok('root', ['*'], {
    hash: Hawk.crypto.calculatePayloadHash(payload.payload, 'sha256', payload.contentType)}));
  // Bulwark's form: the serialized request message (here field 1 = "abc") as application/grpc.
  // `receivedPayload` is what the server got; the test hashes it itself.
  const message = '\n\u0003abc';
  const grpcPayload = {payload: message, contentType: 'application/grpc'};
  add('grpc_payload_hash', {...withCreds(creds('root')), ...grpcPayload}, ok('root', ['*'], {
    receivedPayload: message,
    hash: Hawk.crypto.calculatePayloadHash(message, 'sha256', 'application/grpc')}));
  add('grpc_payload_hash_other_body', {...withCreds(creds('root')), ...grpcPayload},
    {...failed('Unauthorized: Bad payload hash (the request message is not the one signed)'),
      receivedPayload: '\n\u0003abd'});
  add('host_case_and_default_https_port',
    {...withCreds(creds('root')), uri: `https://Queue.Example.COM${RESOURCE}`},
    ok('root', ['*']));
  add('ipv6_authority', {...withCreds(creds('root')), uri: `http://[::1]:50051${RESOURCE}`},
    ok('root', ['*']));
  add('app_and_dlg', {...withCreds(creds('root')), app: 'app-id', dlg: 'dlg-id'},
    ok('root', ['*']));
  add('authorized_scopes', withCreds(creds('root'),
    {authorizedScopes: ['queue:create-task:low/*']}),
  ok('root', anon(['queue:create-task:low/*'])));
  add('authorized_scopes_role', withCreds(creds('worker-manager'),
    {authorizedScopes: ['assume:worker-pool:p1']}),
  ok('worker-manager', anon(['assume:worker-pool:p1', 'queue:worker-id:p1/*'])));
  add('authorized_scopes_too_wide', withCreds(creds('unpriv'),
    {authorizedScopes: ['scope2', 'scope3']}),
  failed(['Supplied credentials do not satisfy authorizedScopes; credentials have scopes:',
    '', '```', 'anonscope', 'assume:anonymous', 'scope2', '```', '', 'authorizedScopes are:',
    '', '```', 'scope2', 'scope3', '```'].join('\n')));

  const unnamed = temp('root', {scopes: ['queue:get-task:*', 'assume:worker-pool:p1']});
  add('temporary_unnamed', withCreds(unnamed), ok('root',
    anon(['assume:worker-pool:p1', 'queue:get-task:*', 'queue:worker-id:p1/*']),
    {expires: nowMs + HOUR}));
  const named = temp('worker-manager',
    {clientId: 'worker/w1', scopes: ['queue:claim-work:pool/*'], expiry: new Date(nowMs + 3 * HOUR)});
  add('temporary_named', withCreds(named),
    ok('worker/w1', anon(['queue:claim-work:pool/*'])));
  add('temporary_named_authorized_scopes',
    withCreds(named, {authorizedScopes: ['queue:claim-work:pool/a']}),
    ok('worker/w1', anon(['queue:claim-work:pool/a'])));
  add('temporary_named_used_under_another_name',
    {...withCreds(named), id: 'worker/w2'},
    failed('ext.certificate.signature is not valid, or wrong clientId provided'));
  add('temporary_named_issuer_lacks_create_client',
    withCreds(temp('unpriv', {clientId: 'someone', scopes: ['scope2']})),
    failed('ext.certificate issuer `unpriv` doesn\'t have `auth:create-client:someone` ' +
      'for supplied clientId.'));
  add('temporary_scopes_beyond_issuer',
    withCreds(temp('unpriv', {scopes: ['godlike']})),
    failed('ext.certificate issuer `unpriv` doesn\'t satisfy all certificate scopes ' +
      'godlike.  The temporary credentials were not generated correctly.'));
  add('temporary_zero_scopes_quirk', withCreds(temp('root', {scopes: []})),
    failed('ext.certificate.signature is not valid'));
  add('temporary_31_days', withCreds(temp('root', {scopes: ['a'],
    start: new Date(nowMs - HOUR), expiry: new Date(nowMs - HOUR + 31 * DAY)})),
  ok('root', anon(['a'])));
  add('temporary_expired', withCreds(temp('root', {scopes: ['a'],
    start: new Date(nowMs - 3 * HOUR), expiry: new Date(nowMs - 2 * HOUR)})),
  failed('ext.certificate.expiry < now'));
  add('stale_timestamp', {...withCreds(creds('root')), tsOffset: -16 * 60},
    failed('Unauthorized: Stale timestamp'));
  add('wrong_key', {...withCreds(creds('root')), key: 'not-the-key'},
    failed('Unauthorized: Bad mac'));
  add('unknown_client', {...withCreds(creds('root')), id: 'nobody'},
    failed('Client with clientId \'nobody\' not found'));

  const temporaryCredentials = [
    {issuer: 'root', credentials: unnamed},
    {issuer: 'worker-manager', name: 'worker/w1', credentials: named},
    {issuer: 'root', name: 'root/x', credentials: temp('root', {clientId: 'root/x',
      scopes: ['a', 'b:*', 'c d']})},
  ];

  return {hawkVersion, tcVersion, now, clients, roles, requests, temporaryCredentials,
    parse: parseVectors(), macs: macVectors(),
    payloadHashes: [['', ''], ['{}', 'application/json'],
      ['text', ' Text/Plain ; charset=utf-8'], ['a\nb\\c', 'x']].map(([p, t]) => ({
      payload: p, contentType: t, hash: Hawk.crypto.calculatePayloadHash(p, 'sha256', t)}))};
}

// hawk's parser on fixed and generated headers.
function parseVectors() {
  const headers = [
    'Hawk id="1", ts="2", nonce="n", hash="h=", ext="e", mac="m", app="a", dlg="d"',
    'Hawk', 'Hawk ', 'Basic abc', 'hAwK id="1"', 'Hawk id=""', 'Hawk id="1", id="2"',
    'Hawk id="1" ts="2"', 'Hawk id="a\\"b"', 'Hawk id="1",\n ts="2"', 'Hawk \n id="1"',
    'Hawk id="1", foo="x", bar="y"', 'Hawk id="1", foo="", id="2"', 'Hawk id="1"\r',
    'Hawk id="\u00e9"',
  ];
  const random = lcg(42);
  const tokens = ['Hawk', 'hawk', ' ', ' ', ', ', ',', 'id', 'ts', 'nonce', 'mac', 'ext',
    'hash', 'app', 'dlg', 'foo', '="', '"', '="x"', '="1"', '\\', '\t', '\n', 'x', '=', '_',
    '!', '~'];
  for (let i = 0; i < 600; i++) {
    let header = random() < 0.8 ? 'Hawk ' : '';
    const n = 1 + Math.floor(random() * 12);
    for (let j = 0; j < n; j++) header += tokens[Math.floor(random() * tokens.length)];
    headers.push(header);
  }
  for (let i = 0; i < 100; i++) {
    const names = ['id', 'ts', 'nonce', 'mac', 'ext', 'hash', 'app', 'dlg', 'x'];
    const parts = [];
    const n = 1 + Math.floor(random() * 6);
    for (let j = 0; j < n; j++) {
      const value = random() < 0.1 ? '' : String(Math.floor(random() * 1e6));
      parts.push(`${names[Math.floor(random() * names.length)]}="${value}"`);
    }
    const seps = [', ', ',', ' , ', ',  '];
    headers.push('Hawk ' + parts.join(seps[Math.floor(random() * seps.length)]));
  }
  return headers.map(header => {
    try {
      return {header, attributes: Hawk.utils.parseAuthorizationHeader(header)};
    } catch (err) {
      return {header, error: `${err.output.payload.error}: ${err.output.payload.message}`};
    }
  });
}

// hawk's normalized string and MAC on generated fields.
function macVectors() {
  const random = lcg(7);
  const pick = list => list[Math.floor(random() * list.length)];
  const out = [];
  for (let i = 0; i < 40; i++) {
    const options = {
      ts: 1700000000 + Math.floor(random() * 1000),
      nonce: pick(['abc', 'Ygvqdz', 'x-y_z']),
      method: pick(['POST', 'post', 'Get']),
      resource: pick([RESOURCE, '/a/b?c=d&e', '/']),
      host: pick(['Queue.Example.COM', 'localhost', '::1']),
      port: pick([443, 50051, 80]),
      hash: pick(['', 'aGFzaA==']),
      ext: pick(['', 'plain', 'back\\slash', 'new\nline', 'both\\\n\\n']),
      app: pick(['', '', 'app-id']),
      dlg: pick(['', 'dlg-id']),
    };
    const key = pick(['key', 'rootToken-A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8']);
    out.push({...options, key,
      normalized: Hawk.crypto.generateNormalizedString('header', options),
      mac: Hawk.crypto.calculateMac('header', {key, algorithm: 'sha256'}, options)});
  }
  return out;
}

// Headers made by the C++ library, judged by hawk's server and Taskcluster's certificate rule.
async function verify(file) {
  const input = JSON.parse(fs.readFileSync(file, 'utf8'));
  const results = [];
  for (const item of input.items) {
    let key = item.key;
    let ext;
    try {
      const attributes = Hawk.utils.parseAuthorizationHeader(item.header);
      if (attributes.ext) ext = JSON.parse(Buffer.from(attributes.ext, 'base64').toString());
      if (ext && ext.certificate) {
        const cert = ext.certificate;
        const lines = ['version:' + cert.version];
        if (cert.issuer) lines.push('clientId:' + attributes.id, 'issuer:' + cert.issuer);
        lines.push('seed:' + cert.seed, 'start:' + cert.start, 'expiry:' + cert.expiry,
          'scopes:', ...cert.scopes);
        const signature = crypto.createHmac('sha256', item.issuerToken)
          .update(lines.join('\n')).digest('base64');
        if (signature !== cert.signature) throw new Error('certificate signature mismatch');
        key = crypto.createHmac('sha256', item.issuerToken).update(cert.seed).digest('base64')
          .replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, '');
        if (item.expectedKey && key !== item.expectedKey) throw new Error('temporary key mismatch');
      }
      const {artifacts} = await Hawk.server.authenticate(
        {method: item.method, url: item.resource, host: item.host, port: item.port,
          authorization: item.header},
        async id => ({id, key, algorithm: 'sha256'}),
        {localtimeOffsetMsec: input.now * 1000 - Date.now(), timestampSkewSec: 900});
      results.push({name: item.name, ok: true, id: artifacts.id, ext: ext || null});
    } catch (err) {
      const message = err.isBoom && err.output.statusCode < 500 ?
        `${err.output.payload.error}: ${err.output.payload.message}` : err.message;
      results.push({name: item.name, ok: false, error: message});
    }
  }
  return {results};
}

(async () => {
  const [mode, argument] = process.argv.slice(2);
  if (mode === 'vectors') {
    let tc;
    try {
      tc = (await import(pathToFileURL(
        path.join(modules, 'taskcluster-client', 'src', 'index.js')).href)).default;
    } catch (err) {
      die(`cannot load taskcluster-client from ${modules}: ${err.message}`);
    }
    process.stdout.write(JSON.stringify(vectors(tc, Number(argument))));
  } else if (mode === 'verify') {
    process.stdout.write(JSON.stringify(await verify(argument)));
  } else {
    die('usage: interop.js vectors NOW_SECONDS | verify FILE');
  }
})().catch(err => die(err.stack));
