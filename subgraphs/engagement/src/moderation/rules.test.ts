import { applyRules, findLinkFlood, findProfanity, findRepeatedCharacters, findShouting } from './rules';

describe('profanity', () => {
  it.each(['what the fuck', 'sh1t happens', 'fuuuuuuck this', 'you little b!tch', 'ʃ𝐟ʃὗƈｋ you'])('holds "%s"', (text) => {
    expect(findProfanity(text)).toMatchObject({ rule: 'profanity', severity: 'HOLD' });
  });

  it.each([
    'the pen is mightier than the sword',
    'Scunthorpe is a town',
    'grapes are yummy',
    'an assassin in a classic',
    'Open house on Sunday.',
  ])('lets "%s" through', (text) => expect(findProfanity(text)).toBeNull());

  it('counts distinct words', () => {
    expect(findProfanity('fuck this shit, fuck it')?.reason).toBe('Contains profanity (2 words).');
  });
});

describe('link floods', () => {
  const links = (n: number) => Array.from({ length: n }, (_, i) => `https://example${i}.com/page`).join(' and ');

  it('allows up to three links, holds four to eight, rejects more', () => {
    expect(findLinkFlood(links(3))).toBeNull();
    expect(findLinkFlood(links(4))).toMatchObject({ severity: 'HOLD', reason: expect.stringContaining('4 links') });
    expect(findLinkFlood(links(8))).toMatchObject({ severity: 'HOLD' });
    expect(findLinkFlood(links(9))).toMatchObject({ severity: 'REJECT', reason: expect.stringContaining('9 links') });
  });

  it('counts bare domains and www. addresses, not decimals or sentences', () => {
    expect(findLinkFlood('see cheap.biz, pills.ru, www.casino.example and http://x.io now')).toMatchObject({ severity: 'HOLD' });
    expect(findLinkFlood('It costs 3.50 a night. Then 4.20. Then 5.10. Then 6.30.')).toBeNull();
  });
});

describe('repeated characters', () => {
  it('holds a run of ten of the same character, not nine', () => {
    expect(findRepeatedCharacters('so' + 'o'.repeat(8) + ' good')).toBeNull();
    expect(findRepeatedCharacters('so' + 'o'.repeat(9) + ' good')).toMatchObject({
      severity: 'HOLD',
      reason: 'Repeats "o" 10 times in a row.',
    });
    expect(findRepeatedCharacters('wow' + '!'.repeat(12))).toMatchObject({ reason: 'Repeats "!" 12 times in a row.' });
  });

  it('ignores whitespace runs', () => {
    expect(findRepeatedCharacters(`a${' '.repeat(30)}b`)).toBeNull();
  });
});

describe('shouting', () => {
  it('holds text that is mostly upper case', () => {
    expect(findShouting('THIS IS THE BEST FLAT IN TOWN, BUY NOW')).toMatchObject({
      severity: 'HOLD',
      reason: 'Mostly upper case (100% of letters).',
    });
  });

  it('lets short acronyms, mixed text and caseless scripts through', () => {
    expect(findShouting('NASA and the EU')).toBeNull();
    expect(findShouting('OK SURE')).toBeNull();
    expect(findShouting('The flat is near the BBC building and the NHS clinic, very quiet.')).toBeNull();
    expect(findShouting('这是一个非常安静的公寓，离地铁站很近，周围有很多商店和餐馆')).toBeNull();
  });
});

it('applyRules reports every rule that fired, and nothing for ordinary text', () => {
  expect(applyRules('FUCK THIS, VISIT WWW.A.COM WWW.B.COM WWW.C.COM WWW.D.COM!!!!!!!!!!').map((f) => f.rule)).toEqual([
    'profanity',
    'link-flood',
    'repeated-characters',
    'shouting',
  ]);
  expect(applyRules('A bright flat near the river, two minutes from the station.')).toEqual([]);
});
