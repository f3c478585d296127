import { readFileSync } from 'node:fs';
import { FluentBundle, FluentNumber, FluentResource, type FluentFunction, type FluentVariable } from '@fluent/bundle';

import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../vocabulary/languages';

export { DEFAULT_LANGUAGE, LANGUAGES, pickLanguage, type Language } from '../vocabulary/languages';

export type TranslateParams = Record<string, FluentVariable>;
export type Translate = (key: string, params?: TranslateParams) => string;

export interface I18n {
  t(language: Language, key: string, params?: TranslateParams): string;
  forLanguage(language: Language): Translate;
  keys(language: Language): string[];
}

/** The word "credit" agreeing with a number (Russian has three forms): `{ $n } { CREDITS($n) }` in the .ftl files. */
const CREDIT_WORDS: Record<Language, Partial<Record<Intl.LDMLPluralRule, string>> & { other: string }> = {
  ru: { one: 'кредит', few: 'кредита', many: 'кредитов', other: 'кредита' },
  en: { one: 'credit', other: 'credits' },
};
const creditsFunction = (lang: Language): FluentFunction => {
  const rules = new Intl.PluralRules(lang);
  return ([n]) => {
    const value = n instanceof FluentNumber ? n.value : Number(n);
    return CREDIT_WORDS[lang][rules.select(value)] ?? CREDIT_WORDS[lang].other;
  };
};

/** Entry ids as written in a .ftl file: an entry the parser dropped (a syntax error) must not vanish silently. */
const declaredIds = (source: string) => [...source.matchAll(/^(-?[a-zA-Z][\w-]*) *=/gm)].map((m) => m[1]!);

const localeUrl = (lang: Language) => new URL(`../bot/locales/${lang}.ftl`, import.meta.url);

/** Loads bot/locales/{ru,en}.ftl. Every user-facing string lives there. */
export function createI18n(): I18n {
  const bundles = new Map<Language, FluentBundle>();
  const messageIds = new Map<Language, string[]>();
  for (const lang of LANGUAGES) {
    const bundle = new FluentBundle(lang, { useIsolating: false, functions: { CREDITS: creditsFunction(lang) } });
    const source = readFileSync(localeUrl(lang), 'utf8');
    const resource = new FluentResource(source);
    const parsed = new Set(resource.body.map((m) => m.id));
    const dropped = declaredIds(source).filter((id) => !parsed.has(id));
    if (dropped.length) throw new Error(`bot/locales/${lang}.ftl: syntax errors in ${dropped.join(', ')}`);
    messageIds.set(lang, resource.body.map((m) => m.id).filter((id) => !id.startsWith('-')));
    const errors = bundle.addResource(resource);
    if (errors.length) throw new Error(`bot/locales/${lang}.ftl: ${errors.map((e) => e.message).join('; ')}`);
    bundles.set(lang, bundle);
  }
  const t = (language: Language, key: string, params?: TranslateParams): string => {
    const bundle = bundles.get(language) ?? bundles.get(DEFAULT_LANGUAGE)!;
    const message = bundle.getMessage(key) ?? bundles.get(DEFAULT_LANGUAGE)!.getMessage(key);
    if (!message?.value) return key;
    return bundle.formatPattern(message.value, params);
  };
  return {
    t,
    forLanguage: (language) => (key, params) => t(language, key, params),
    keys: (language) => [...(messageIds.get(language) ?? [])],
  };
}
