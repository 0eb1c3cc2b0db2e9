// A real OpenID Connect provider for tests and the load-balancer demo (npm's oidc-provider),
// standing in for a municipality's DigiD broker and its staff accounts.
//
//   node tests/oidc/provider.mjs CONFIG.json
//
// CONFIG: { "port": 9400, "host": "127.0.0.1", "clients": [ oidc-provider client metadata ],
//           "accounts": [ { "login": "...", "password": "...", "claims": { "bsn": "..." } } ],
//           "claimsInIdToken": false }
// Prints one line `ready <issuer URL>` on standard output once it listens. The login page is
// its own (Dutch, with an English switch): a user name and password from `accounts`, or
// "Annuleren", which sends the browser back with `access_denied`. Scopes `bsn` and `roles`
// release those claims; in the ID token only when `claimsInIdToken`, else (as the standard
// has it for the code flow) at the userinfo endpoint. Test keys are made at start.
import { generateKeyPairSync, randomBytes, timingSafeEqual, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const host = config.host ?? '127.0.0.1';
const accounts = new Map((config.accounts ?? []).map((a) => [a.login, a]));

function jwk(type, options, alg) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: `${alg}-${randomBytes(4).toString('hex')}` };
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const digest = (s) => createHash('sha256').update(String(s)).digest();
const samePassword = (given, expected) => timingSafeEqual(digest(given), digest(expected));

async function formBody(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('body too large');
  }
  return Object.fromEntries(new URLSearchParams(body));
}

function loginPage(uid, client, lang, error) {
  const t = (nl, en) => (lang === 'en' ? en : nl);
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t('Inloggen — testinlogdienst', 'Log in — test login service')}</title>
<style>body{font:1.1rem/1.5 sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem}
label{display:block;margin-top:1rem}input{font:inherit;width:100%;box-sizing:border-box;padding:.5rem}
button{font:inherit;margin-top:1rem;padding:.5rem 1rem}.fout{color:#a00;font-weight:bold}</style></head>
<body><main><h1>${t('Inloggen', 'Log in')}</h1>
<p>${t('Testinlogdienst: dit is niet de echte DigiD.', 'Test login service: this is not the real DigiD.')}
${t('U logt in voor', 'You are logging in for')} <strong>${esc(client)}</strong>.</p>
${error ? `<p class="fout" role="alert">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login?lang=${lang}">
<label for="login">${t('Gebruikersnaam', 'User name')}</label>
<input id="login" name="login" autocomplete="username" required>
<label for="password">${t('Wachtwoord', 'Password')}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">${t('Inloggen', 'Log in')}</button></form>
<form method="post" action="/interaction/${esc(uid)}/abort"><button type="submit">${t('Annuleren', 'Cancel')}</button></form>
<p><a href="/interaction/${esc(uid)}?lang=${lang === 'en' ? 'nl' : 'en'}">${lang === 'en' ? 'Nederlands' : 'English'}</a></p>
</main></body></html>`;
}

const provider = new Provider(`http://${host}:${config.port}`, {
  clients: config.clients,
  pkce: { required: () => true },
  scopes: ['openid', 'bsn', 'roles', 'profile'],
  claims: { openid: ['sub'], bsn: ['bsn'], roles: ['roles'], profile: ['name'] },
  conformIdTokenClaims: !config.claimsInIdToken,
  jwks: { keys: [jwk('rsa', { modulusLength: 2048 }, 'RS256'), jwk('ec', { namedCurve: 'P-256' }, 'ES256')] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = accounts.get(id);
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account.claims }) };
  },
  // First-party logins: no consent screen; the grant covers what the client asked for.
  async loadExistingGrant(ctx) {
    const { Grant } = ctx.oidc.provider;
    const clientId = ctx.oidc.client.clientId;
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(clientId);
    const grant = (grantId && (await Grant.find(grantId)))
      || new Grant({ clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(?:\/(login|abort))?$/);
  if (!match) return next();
  const [, uid, action] = match;
  const lang = ctx.query.lang === 'en' ? 'en' : 'nl';
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== uid) ctx.throw(400, 'unknown interaction');
  const clientName = details.params.client_id;
  ctx.set('cache-control', 'no-store');
  if (!action && ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = loginPage(uid, clientName, lang);
    return undefined;
  }
  if (ctx.method !== 'POST') ctx.throw(405);
  if (action === 'abort') {
    return provider.interactionFinished(ctx.req, ctx.res, {
      error: 'access_denied', error_description: 'the person cancelled',
    }, { mergeWithLastSubmission: false });
  }
  const form = await formBody(ctx.req);
  const account = accounts.get(form.login ?? '');
  if (!account || !samePassword(form.password ?? '', account.password)) {
    ctx.status = 401;
    ctx.type = 'html';
    ctx.body = loginPage(uid, clientName, lang, lang === 'en'
      ? 'This user name or password is not right.'
      : 'Deze gebruikersnaam of dit wachtwoord klopt niet.');
    return undefined;
  }
  return provider.interactionFinished(ctx.req, ctx.res, {
    login: { accountId: account.login },
  }, { mergeWithLastSubmission: false });
});

// The issuer identifier is the URL the provider answers at, so the port is chosen beforehand.
const issuer = `http://${host}:${config.port}`;
// Whoever started the provider may stop reading once it is ready; later output (the
// library's notices) must not end the provider.
process.stdout.on('error', () => {});
const server = provider.listen(config.port, host, () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
