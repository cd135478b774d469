import { parseCommand } from '@kaiku/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('reply commands', () => {
  it.each([
    'STOP',
    'stop',
    'Stop.',
    'STOP!',
    ' stop please ',
    'LOPETA',
    // the words README asks a county to add to Twilio's list, read without Twilio's mark too
    'POIS',
    'Pois listalta',
    'AVSLUTA',
    // and in a few words (a regression probe)
    'Pois minut listalta',
    'Sori, pois',
    'Ottakaa pois',
    'Avsluta prenumeration',
    'Ottakaa mut pois',
    'Minut pois listalta',
    'Pois kyselyistä',
    'Jättäkää minut pois',
    'Jag vill avsluta',
    'Stryk mig från listan',
    'Remove me from the list',
    'Lopeta!',
    'lopeta kiitos',
    'Lopettakaa viestien lähettäminen',
    'Älä lähetä enää viestejä',
    'En halua enää viestejä',
    'STOPP',
    'Sluta',
    'SLUTA skicka sms till mig',
    'Jag vill inte ha fler sms',
    'STOPALL',
    'UNSUBSCRIBE',
    'CANCEL',
    'END',
    'QUIT',
    'Stop texting me',
    'Please stop sending me messages',
    'No more texts',
    'Remove my number',
    // found by adversarial probing
    'Älä laita enää viestejä',
    'Älkää laittako enää viestejä',
    'Lopettakaa tekstiviestien lähettäminen',
    'Poistakaa minut listalta',
    'Sluta smsa mig',
    'sluta med sms',
    'Vill inte ha mer sms',
    'Kan ni sluta skicka sms?',
    'Skicka inga fler sms',
    'Ta bort mig från listan',
    'Stop messaging me',
    'Stop contacting me',
    "Don't message me again",
    'Please remove me from your list',
    // found by a 500-reply review
    'En halua vastata kyselyihin',
    'Ei kiitos, en halua näitä viestejä',
    'En halua osallistua kyselyihin',
    'Jag vill inte delta',
    'Avregistrera',
    'Take me off your list',
    'Leave me alone',
    'Lopettakaa nää viestit',
    'Sluta skicka enkäter',
    'Unsubscribe me',
    // a probe of 1,310 replies: wrapped, asked, repeated
    'Kiitos, mutta älkää lähettäkö enää',
    'Kiitos ei, ja älkää lähettäkö enää',
    'ei kiinnosta, älkää lähettäkö tällaisia',
    'Miten voin lopettaa nämä kyselyt?',
    'Voitteko lopettaa viestit',
    'Voisitteko lopettaa näiden lähettämisen',
    'Ottakaa minut pois listalta',
    'Haluan pois tältä listalta',
    'Ei enää näitä',
    'Mä en halua näitä viestejä',
    'Lopettakaa spämmäys',
    'Älkää häiritkö',
    'Lopeta lopeta',
    'stop stop stop',
    'STOP STOP',
    'Stop it',
    'Avbryt',
    'Jag vill inte ha dessa meddelanden',
    'Jag vill inte få sms från er',
    "I don't want to participate",
    // an English probe's, each answered as a reason before
    'pls stop texting me after this one',
    'dont msg me again',
    'wrong number stop',
    'stop bothering me',
    'opt me out',
    'unsub',
    'stop texting me after this survey',
    'no more of these please',
    'but pls stop sending these',
    'enough with the texts',
    'delete my number',
    "I'm not interested in these surveys",
  ])('%j opts out', (text) => {
    expect(parseCommand(text)).toEqual({ kind: 'opt-out' });
  });

  it.each([
    'START',
    'start',
    'Start!',
    'ALOITA',
    'aloita',
    'BÖRJA',
    'börja',
    'Start again',
    'Aloita uudelleen',
    'Börja igen',
    'STARTA',
    'UNSTOP',
  ])('%j opts in', (text) => {
    expect(parseCommand(text)).toEqual({ kind: 'opt-in' });
  });

  it.each([
    ['SV', 'sv'],
    ['sv', 'sv'],
    [' Sv. ', 'sv'],
    ['svenska', 'sv'],
    ['Svenska!', 'sv'],
    ['på svenska', 'sv'],
    ['På svenska tack', 'sv'],
    ['på svenska, tack!', 'sv'],
    ['Kan jag svara på svenska?', 'sv'],
    ['Voinko vastata ruotsiksi?', 'sv'],
    ['ruotsiksi kiitos', 'sv'],
    ['Jag förstår inte finska', 'sv'],
    ['Talar ni svenska?', 'sv'],
    ['Byt språk till svenska', 'sv'],
    ['EN', 'en'],
    ['english', 'en'],
    ['English please', 'en'],
    ['in english', 'en'],
    ['IN ENGLISH!', 'en'],
    ['Can I answer in English?', 'en'],
    ["I don't speak Finnish", 'en'],
    ['englanniksi', 'en'],
    ['puhutteko englantia?', 'en'],
    ['FI', 'fi'],
    ['fi', 'fi'],
    ['suomi', 'fi'],
    ['Suomeksi kiitos', 'fi'],
    ['på finska', 'fi'],
    ['in Finnish please', 'fi'],
    // found by adversarial probing
    ['Voiko tähän vastata ruotsiksi', 'sv'],
    ['Kieli: ruotsi', 'sv'],
    ['Voisinko saada kyselyn englanniksi', 'en'],
    ['Skriv på svenska', 'sv'],
    ['Kan jag få frågan på svenska', 'sv'],
    ['Kan jag få den på svenska?', 'sv'],
    ['Jag förstår inte finska, svenska tack', 'sv'],
    ['English version please', 'en'],
    ['Do you have this in English?', 'en'],
    ['I only speak English', 'en'],
    ["Sorry I don't speak Finnish", 'en'],
    ["I'd prefer English", 'en'],
    // found by a 500-reply review
    ['Saisinko tämän englanniksi?', 'en'],
    ['Vastaan mieluummin ruotsiksi', 'sv'],
    ['Kan ni skriva på svenska?', 'sv'],
    ['Could I get this in Swedish', 'sv'],
    // a probe of 1,310 replies
    ['voitko kirjoittaa ruotsiksi', 'sv'],
    ['Kirjoita englanniksi', 'en'],
    ['Ruotsiksi, jos voi', 'sv'],
    ['Jag vill ha meddelanden på svenska', 'sv'],
    ['Kunde ni skriva på svenska', 'sv'],
    ['No Finnish, English pls', 'en'],
    ['En ymmärrä ruotsia', 'fi'],
    ['En puhu englantia', 'fi'],
  ])('%j switches to %s', (text, language) => {
    expect(parseCommand(text)).toEqual({ kind: 'switch-language', language });
  });

  it.each([
    '9',
    'Hyvä palvelu',
    'Kiitos',
    'Lääkäri ei puhunut suomeksi',
    'Hoitaja puhui hyvää ruotsia',
    'The doctor told me to stop smoking',
    'stop smoking they said',
    'En halua vastata',
    'Läkaren talade bra svenska, 9',
    'Starting to feel better',
    'aloitan huomenna lääkityksen',
    'Börja tidigare på morgonen',
    'Lopeta tupakointi sanoi lääkäri',
    'Sluta röka sa läkaren',
    'Kan ni sluta med köerna',
    'Ei kiitos',
    'En halua vastata tähän',
    'Lääkäri puhui vain englantia, 7',
    'Vill inte ha mer väntetid',
    "Don't message me, 10",
    'Can you stop the pain',
    "the bleeding wouldn't stop",
    'not interested in parking',
    'wrong number',
    'enough waiting',
    'Lääkäri puhui ruotsia jos voi',
    'En ymmärrä ohjeita',
    'Mä en halua vastata',
    'ja hoitaja oli kiva',
    'Start again tomorrow',
    'Stop it hurting',
    'Kipu meni pois',
    'Ottakaa parkkimaksu pois',
    'Haluan pois sairaalasta',
    'Avsluta inte behandlingen',
    'Remove the stitches',
    'Sorry',
    'ok',
    '',
  ])('%j is not a command', (text) => {
    expect(parseCommand(text)).toBeNull();
  });

  it('a stray message never opts back in', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        fc.pre(!/^\W*(start|aloita|börja|borja)\W*$/iu.test(text.trim()));
        expect(parseCommand(text)?.kind).not.toBe('opt-in');
      }),
      { numRuns: 1000 },
    );
  });

  it('a language word inside a longer reason never switches the language', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('svenska', 'suomeksi', 'english', 'SV', 'EN'),
        fc.constantFrom('lääkäri puhui', 'the nurse spoke', 'personalen talade'),
        (lang, words) => {
          expect(parseCommand(`${words} ${lang} hyvin, 9`)).toBeNull();
        },
      ),
    );
  });
});
