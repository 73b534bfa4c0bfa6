// Continents by ISO 3166-1 alpha-2 country code, for travel rules. The fixture generator keeps
// its own copy for planting scenarios; a unit test keeps the two equal. Unknown codes are
// 'unknown', which never counts as a different continent.
export const CONTINENTS = ['EU', 'NA', 'SA', 'AS', 'OC', 'AF'] as const;
export type Continent = (typeof CONTINENTS)[number];

export const COUNTRY_CONTINENT: Readonly<Record<string, Continent>> = {
  GB: 'EU', IE: 'EU', FR: 'EU', DE: 'EU', NL: 'EU', BE: 'EU', LU: 'EU', ES: 'EU', PT: 'EU', IT: 'EU', CH: 'EU', AT: 'EU',
  SE: 'EU', NO: 'EU', DK: 'EU', FI: 'EU', PL: 'EU', CZ: 'EU', GR: 'EU', RO: 'EU', HU: 'EU', RU: 'EU',
  US: 'NA', CA: 'NA', MX: 'NA',
  BR: 'SA', AR: 'SA', CL: 'SA', CO: 'SA', PE: 'SA',
  CN: 'AS', JP: 'AS', KR: 'AS', IN: 'AS', SG: 'AS', HK: 'AS', TH: 'AS', VN: 'AS', ID: 'AS', MY: 'AS', PH: 'AS', AE: 'AS', SA: 'AS',
  TR: 'AS', IL: 'AS',
  AU: 'OC', NZ: 'OC',
  ZA: 'AF', NG: 'AF', KE: 'AF', EG: 'AF', MA: 'AF',
};

export function continentOf(country: string): Continent | 'unknown' {
  return COUNTRY_CONTINENT[country] ?? 'unknown';
}

export function differentContinents(a: string, b: string): boolean {
  const x = continentOf(a);
  const y = continentOf(b);
  return x !== 'unknown' && y !== 'unknown' && x !== y;
}
