// A gRPC client that knows nothing of Bulwark's protos: like grpcurl, it learns every service
// from server reflection, then calls grpc.health.v1.Health/Check and <Service>/Ping.
// Usage: node reflection_client.js HOST:PORT   (NODE_PATH must reach @grpc/grpc-js and
// @grpc/proto-loader). Prints one JSON object: {services, methods, health, pings}.
'use strict';
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const address = process.argv[2];
const REFLECTION_PROTO = '/usr/share/grpc-proto/grpc/reflection/v1alpha/reflection.proto';

function reflectionClient() {
  const def = protoLoader.loadSync(REFLECTION_PROTO, {keepCase: true});
  const pkg = grpc.loadPackageDefinition(def).grpc.reflection.v1alpha;
  return new pkg.ServerReflection(address, grpc.credentials.createInsecure());
}

// Sends each request on one stream; resolves with the responses in order.
function ask(client, requests) {
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo();
    const responses = [];
    call.on('data', (r) => {
      responses.push(r);
      if (responses.length === requests.length) call.end();
    });
    call.on('error', reject);
    call.on('end', () => resolve(responses));
    for (const r of requests) call.write(r);
  });
}

function varint(n) {
  const out = [];
  while (n > 127) { out.push((n & 127) | 128); n >>>= 7; }
  out.push(n);
  return Buffer.from(out);
}

// FileDescriptorSet = repeated FileDescriptorProto file = 1.
function descriptorSet(files) {
  const parts = [];
  for (const f of files) parts.push(Buffer.from([0x0a]), varint(f.length), f);
  return Buffer.concat(parts);
}

function unary(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, {deadline: Date.now() + 5000}, (err, res) => err ? reject(err) : resolve(res));
  });
}

async function main() {
  const refl = reflectionClient();
  const [list] = await ask(refl, [{list_services: ''}]);
  const services = list.list_services_response.service.map((s) => s.name).sort();
  const answers = await ask(refl, services.map((s) => ({file_containing_symbol: s})));
  const files = new Map();
  for (const a of answers) {
    if (a.error_response) throw new Error('reflection error: ' + a.error_response.error_message);
    for (const f of a.file_descriptor_response.file_descriptor_proto) files.set(f.toString('base64'), f);
  }
  const def = protoLoader.loadFileDescriptorSetFromBuffer(descriptorSet([...files.values()]), {keepCase: false, defaults: true, enums: String});
  const out = {services, methods: {}, health: null, pings: {}};
  for (const name of services) {
    if (!def[name]) continue;
    out.methods[name] = Object.keys(def[name]).sort();
  }
  const loaded = grpc.loadPackageDefinition(def);
  const lookup = (full) => full.split('.').reduce((o, k) => o[k], loaded);
  const health = new (lookup('grpc.health.v1.Health'))(address, grpc.credentials.createInsecure());
  out.health = (await unary(health, 'Check', {service: ''})).status;
  for (const name of services) {
    if (!out.methods[name] || !out.methods[name].includes('Ping')) continue;
    const client = new (lookup(name))(address, grpc.credentials.createInsecure());
    out.pings[name] = await unary(client, 'Ping', {});
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
