// Hostile strings and the fixtures that carry them, for the browser tests
// (hostile.test.mjs) and the app window tests: a BRP test person of the run only, and the
// demo relying parties with the housing corporation's registration made hostile.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { root } from './stack.mjs';

export const SCRIPT = '<script>window.__pwned=1</script>';
export const ATTRIBUTE = '"><img src=x onerror="window.__pwned=1">';
export const URLISH = 'javascript:window.__pwned=1';
export const RTL = '\u202Eevil';
/** The controls that reorder text (embedding, override, isolate). */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;
/** A hostile text as the pages and the app show it: reordering controls written out as
 * `[U+202E]`, so that nothing shows reversed or moves the text around it. */
export function shownAs(text) {
  return text.replace(new RegExp(BIDI_CONTROLS, 'g'),
    (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase()}]`);
}
/** The hostile person's BSN (passes the eleven test; not in the official test set). */
export const HOSTILE_BSN = '999900018';
/** The hostile person's full name as the pages write it. */
export const HOSTILE_NAME = `${SCRIPT} ${ATTRIBUTE}`;

/** The official test persons plus one of this run whose names, birthplace and address are
 * hostile; the official files are only read. */
export function hostileFixtures(dir) {
  const persons = JSON.parse(readFileSync(join(root, 'fixtures/brp/personen.json'), 'utf8'));
  const history = JSON.parse(readFileSync(join(root, 'fixtures/brp/verblijfplaatshistorie.json'), 'utf8'));
  const model = persons.find((p) => p.burgerservicenummer === '999993653');
  const hostile = structuredClone(model);
  hostile.burgerservicenummer = HOSTILE_BSN;
  hostile.aNummer = '1000000001';
  hostile.naam = { ...hostile.naam, voornamen: SCRIPT, geslachtsnaam: ATTRIBUTE };
  hostile.geboorte.plaats = { omschrijving: URLISH };
  // An address of its own, so that nobody else's address gains a resident.
  const address = {
    straat: RTL, naamOpenbareRuimte: RTL, woonplaats: URLISH, huisnummer: '1', postcode: '9999ZZ',
    adresseerbaarObjectIdentificatie: '0599010000999999', nummeraanduidingIdentificatie: '0599200000999999',
  };
  hostile.verblijfplaats = { ...hostile.verblijfplaats, ...address };
  delete hostile.partners;
  persons.push(hostile);
  history[HOSTILE_BSN] = history['999993653'].map((entry) => ({ ...structuredClone(entry), burgerservicenummer: HOSTILE_BSN }));
  Object.assign(history[HOSTILE_BSN][0].verblijfplaats, address);
  writeFileSync(join(dir, 'personen.json'), JSON.stringify(persons));
  writeFileSync(join(dir, 'verblijfplaatshistorie.json'), JSON.stringify(history));
  return dir;
}

/** The demo relying parties, the housing corporation's registration made hostile and
 * attested again by the demo trust anchor. */
export function hostileParties(dir) {
  cpSync(join(root, 'fixtures/relying-parties'), dir, { recursive: true });
  const file = join(dir, 'woonstichting', 'party.json');
  const party = JSON.parse(readFileSync(file, 'utf8'));
  party.registration.legal_name = `Woonstichting ${SCRIPT}`;
  party.registration.city = ATTRIBUTE;
  party.registration.privacy_policy_url = URLISH;
  const purpose = party.registration.purposes[0];
  purpose.name = { nl: `Medehuur ${SCRIPT}`, en: `Co-tenancy ${SCRIPT}` };
  purpose.description = { nl: `${ATTRIBUTE} ${URLISH}`, en: `${ATTRIBUTE} ${URLISH}` };
  purpose.retention = { nl: RTL, en: RTL };
  writeFileSync(file, JSON.stringify(party, null, 2));
  execFileSync(join(root, 'target/debug/regie-verifier'), [
    'attest', '--anchor-key', join(root, 'fixtures/demo/trust-anchor.private.jwk'),
    '--party', join(dir, 'woonstichting'), '--valid-days', '30',
  ], { cwd: root, stdio: 'ignore' });
  return dir;
}

