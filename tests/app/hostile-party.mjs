// A relying party that misbehaves on purpose, written here from OpenID4VP 1.0 alone: it has
// the housing corporation's real (demo) attestation and request key, so its request objects
// verify, but it puts into them whatever it likes (a payment to sign, say). The real
// verifier refuses to create such sessions; a wallet must refuse them too.
import { createServer } from 'node:http';
import { createPrivateKey, sign, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const b64u = (data) => Buffer.from(data).toString('base64url');

export async function startHostileParty(root, party = 'woonstichting') {
  const dir = join(root, 'fixtures', 'relying-parties', party);
  const registration = JSON.parse(readFileSync(join(dir, 'party.json'), 'utf8'));
  const attestation = readFileSync(join(dir, 'attestation.jwt'), 'utf8').trim();
  const key = createPrivateKey({ key: JSON.parse(readFileSync(join(dir, 'request-key.jwk'), 'utf8')), format: 'jwk' });
  const requests = new Map();
  const answers = [];
  const server = createServer((req, res) => {
    const id = req.url.split('/').pop();
    if (req.method === 'GET' && req.url.startsWith('/request/') && requests.has(id)) {
      res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' });
      res.end(requests.get(id));
      return;
    }
    if (req.method === 'POST' && req.url.startsWith('/response/')) {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        answers.push(Object.fromEntries(new URLSearchParams(body)));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const clientId = `verifier_attestation:${registration.client_id}`;
  return {
    answers,
    /** A signed request with `claims` over the defaults; returns the openid4vp:// link. */
    request(claims) {
      const id = randomBytes(16).toString('hex');
      const now = Math.floor(Date.now() / 1000);
      const payload = {
        client_id: clientId, response_type: 'vp_token', response_mode: 'direct_post',
        response_uri: `${base}/response/${id}`, nonce: randomBytes(16).toString('hex'), state: id,
        aud: 'https://self-issued.me/v2', iat: now, exp: now + 300, ...claims,
      };
      const header = { alg: 'ES256', typ: 'oauth-authz-req+jwt', jwt: attestation };
      const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
      const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
      requests.set(id, `${input}.${b64u(signature)}`);
      const q = new URLSearchParams({ client_id: clientId, request_uri: `${base}/request/${id}` });
      return `openid4vp://?${q}`;
    },
    stop: () => new Promise((r) => server.close(r)),
  };
}
