// Regie as a municipality runs it, for the browser: Debian's nginx with TLS (a certificate
// made at start from a CA of the test's own) in front of two regie-issuer and two
// regie-verifier instances on one fresh PostgreSQL database (in the cluster the test command
// starts, REGIE_TEST_POSTGRES), and citizens and clerks logging in at a real OpenID Connect
// provider (tests/oidc/provider.mjs). Chromium is told to trust exactly this certificate's
// key (--ignore-certificate-errors-spki-list), never to skip checks.
import { spawn, execFileSync } from 'node:child_process';
import { createHash, X509Certificate, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, freePort, waitFor, start, runWallet, logEnv } from './stack.mjs';

export const PASSWORD = 'test-wachtwoord';
const CLIENT_SECRET = randomBytes(24).toString('hex');

function openssl(dir, args) {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A CA and a certificate for localhost from it; the certificate's SPKI digest (base64). */
function makeCertificate(dir) {
  openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=Regie test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign']);
  openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'server.ext'),
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
    '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', 'server.ext']);
  const cert = new X509Certificate(readFileSync(join(dir, 'server.pem')));
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** A fresh database in the test command's cluster. */
function freshDatabase() {
  const cluster = process.env.REGIE_TEST_POSTGRES;
  if (!cluster) throw new Error('REGIE_TEST_POSTGRES is not set: run the README\'s test command');
  const name = `regie_browser_${process.pid}_${Date.now()}`;
  execFileSync('psql', [cluster, '-q', '-c', `CREATE DATABASE ${name} TEMPLATE template0`]);
  return cluster.replace(/\/[^/]*$/, `/${name}`);
}

function nginxSite(dir, name, port, instances) {
  return `  upstream ${name} { ${instances.map((p) => `server 127.0.0.1:${p};`).join(' ')} }
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${dir}/server.pem;
    ssl_certificate_key ${dir}/server.key;
    client_max_body_size 12m;
    location / { proxy_pass http://${name}; proxy_set_header Host $host:$server_port; }
  }\n`;
}

export async function startLbStack() {
  const dir = mkdtempSync(join(tmpdir(), 'regie-lb-'));
  const tls = join(dir, 'tls');
  const nginxDir = join(dir, 'nginx');
  mkdirSync(tls);
  mkdirSync(nginxDir);
  const spki = makeCertificate(tls);
  const ca = join(tls, 'ca.pem');
  const database = freshDatabase();
  const [issuerPort, verifierPort, providerPort] = [await freePort(), await freePort(), await freePort()];
  const issuerPorts = [await freePort(), await freePort()];
  const verifierPorts = [await freePort(), await freePort()];
  const issuerUrl = `https://localhost:${issuerPort}`;
  const verifierUrl = `https://localhost:${verifierPort}`;
  const children = [];

  // The login provider, with accounts for two BRP test persons and a clerk.
  const providerConfig = join(dir, 'provider.json');
  writeFileSync(providerConfig, JSON.stringify({
    port: providerPort,
    clients: [{
      client_id: 'regie-portaal', client_secret: CLIENT_SECRET,
      redirect_uris: [`${issuerUrl}/inloggen/terug`],
      response_types: ['code'], grant_types: ['authorization_code'],
    }],
    accounts: [
      { login: 'moulin', password: PASSWORD, claims: { bsn: '999993653', name: 'Suzanne Moulin' } },
      { login: 'postma', password: PASSWORD, claims: { bsn: '999996320' } },
      { login: 'balie', password: PASSWORD, claims: { roles: ['balie'] } },
    ],
  }));
  const provider = spawn('node', [join(root, 'tests/oidc/provider.mjs'), providerConfig], {
    cwd: root, stdio: ['ignore', 'ignore', 'ignore'],
  });
  children.push(provider);
  const providerUrl = `http://127.0.0.1:${providerPort}`;
  await waitFor(`${providerUrl}/.well-known/openid-configuration`, provider);

  const issuers = JSON.parse(readFileSync(join(root, 'fixtures/demo/trust-list.issuers.json'), 'utf8'));
  issuers[0].id = issuerUrl;
  writeFileSync(join(dir, 'issuers.json'), JSON.stringify(issuers));
  const trustList = join(dir, 'trust-list.jwt');
  writeFileSync(trustList, execFileSync(join(root, 'target/debug/regie-issuer'), [
    'trust-list', '--anchor-key', join(root, 'fixtures/demo/trust-anchor.private.jwk'),
    '--issuers', join(dir, 'issuers.json'),
  ], { cwd: root }));

  issuerPorts.forEach((port, i) => children.push(start('regie-issuer', [
    'serve', '--listen', `127.0.0.1:${port}`, '--public-url', issuerUrl,
    '--database-url', database, '--data-dir', join(dir, `issuer-${i}`),
    '--key', join(root, 'fixtures/demo/issuer.private.jwk'),
    '--verifier-url', verifierUrl, '--ca-cert', ca,
    '--verifier-party', join(root, 'fixtures/relying-parties/gemeente/party.json'),
    '--oidc-issuer', providerUrl, '--oidc-client-id', 'regie-portaal',
    '--oidc-scope', 'bsn', '--oidc-scope', 'roles',
  ], { REGIE_ISSUER_OIDC_CLIENT_SECRET: CLIENT_SECRET, REGIE_ISSUER_ADMIN_TOKEN: 'lb-admin-token' })));
  verifierPorts.forEach((port, i) => children.push(start('regie-verifier', [
    'serve', '--listen', `127.0.0.1:${port}`, '--public-url', verifierUrl,
    '--database-url', database, '--data-dir', join(dir, `verifier-${i}`),
    '--trust-list', trustList, '--ca-cert', ca,
  ])));

  writeFileSync(join(nginxDir, 'nginx.conf'), `master_process off;
daemon off;
pid ${nginxDir}/nginx.pid;
error_log ${nginxDir}/error.log;
events {}
http {
  access_log off;
  client_body_temp_path ${nginxDir}/body;
  proxy_temp_path ${nginxDir}/proxy;
${nginxSite(tls, 'issuers', issuerPort, issuerPorts)}${nginxSite(tls, 'verifiers', verifierPort, verifierPorts)}}
`);
  const nginx = spawn('nginx', ['-p', nginxDir, '-c', join(nginxDir, 'nginx.conf')], { stdio: 'ignore' });
  children.push(nginx);
  for (const port of [...issuerPorts, ...verifierPorts]) {
    await waitFor(`http://127.0.0.1:${port}/health/ready`, children[children.length - 1]);
  }

  const walletArgs = (args) => ['--ca-cert', ca, ...args];
  return {
    dir,
    issuerUrl,
    verifierUrl,
    providerUrl,
    issuerPorts,
    /** Chromium's arguments to trust this run's certificate, and only it. */
    chromiumArgs: [`--ignore-certificate-errors-spki-list=${spki}`],
    wallet: (args, pins) => runWallet(dir, trustList, walletArgs(args), pins),
    async stop() {
      for (const child of children) child.kill('SIGTERM');
      // An app or browser just stopped may still be writing its caches here: retry.
      rmSync(dir, { recursive: true, force: true, maxRetries: 30, retryDelay: 100 });
    },
    logEnv,
  };
}
