// Makes Hawk authorization headers the way Taskcluster's own clients do (npm hawk 9.0.2 and
// taskcluster-client's createTemporaryCredentials), for auth_integration_test.cc to send to
// the real auth server.
//   node npm_headers.js '{"clientId":…,"accessToken":…,"authority":"127.0.0.1:N","resource":"/…",
//                         "payload":"<base64 of the serialized request message>"}'
// With "payload", every header carries Hawk's payload hash of those bytes with content type
// application/grpc (protos/README.md), as a JavaScript client signing a Bulwark call would.
// Prints {"permanent", "temporary", "named", "authorized"}: one header each. Exits 1 if the
// npm packages are missing (the test must then fail, not pass).
'use strict';
const path = require('path');
const modules = process.env.BULWARK_NODE_MODULES;
if (!modules) {
  console.error('BULWARK_NODE_MODULES is not set; run through ./dev test');
  process.exit(1);
}
const Hawk = require(path.join(modules, 'hawk'));
const taskcluster = require(path.join(modules, 'taskcluster-client'));

const args = JSON.parse(process.argv[2]);
const url = `http://${args.authority}${args.resource}`;
const credentials = {id: args.clientId, key: args.accessToken, algorithm: 'sha256'};
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64');
const payload = args.payload === undefined ? {} :
  {payload: Buffer.from(args.payload, 'base64'), contentType: 'application/grpc'};

function sign(creds, ext) {
  return Hawk.client.header(url, 'POST', {
    credentials: {id: creds.clientId, key: creds.accessToken, algorithm: 'sha256'},
    ext, ...payload,
  }).header;
}

const now = Date.now();
const temp = taskcluster.createTemporaryCredentials({
  start: new Date(now - 60000), expiry: new Date(now + 3600000),
  scopes: ['auth:current-scopes', 'temp:only'],
  credentials: {clientId: args.clientId, accessToken: args.accessToken},
});
const named = taskcluster.createTemporaryCredentials({
  clientId: 'root-temp/ci', start: new Date(now - 60000), expiry: new Date(now + 3600000),
  scopes: ['auth:current-scopes', 'named:only'],
  credentials: {clientId: args.clientId, accessToken: args.accessToken},
});
const certExt = (t) => b64({certificate: JSON.parse(t.certificate)});
process.stdout.write(JSON.stringify({
  permanent: Hawk.client.header(url, 'POST', {credentials, ...payload}).header,
  temporary: sign(temp, certExt(temp)),
  named: sign(named, certExt(named)),
  authorized: Hawk.client.header(url, 'POST', {
    credentials, ext: b64({authorizedScopes: ['auth:current-scopes', 'narrow:*']}), ...payload,
  }).header,
}) + '\n');
